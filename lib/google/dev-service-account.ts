/**
 * The service account the local Google registers for managing its security-event (RISC) stream, in the
 * shape of the JSON key file Google gives for a real one. `npm run risc` signs its management JWT with
 * this key when no key file is configured and the app talks to the local Google. Public on purpose, like
 * DEV_GOOGLE_CLIENT: the local Google is the only party that trusts it, and real Google has never seen it.
 */
export const DEV_RISC_SERVICE_ACCOUNT = {
  type: "service_account",
  project_id: "evergreen-dev",
  private_key_id: "9188b528cee2d447cd892a69f54c33e755eab29a",
  private_key: [
    "-----BEGIN PRIVATE KEY-----",
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDCqrN4jEGCzG+7",
    "NvjxiYQril4qHHQz3kdawo8vd67999AIEuYE1ORItgcy5glTTBO6nif/eGopjdGZ",
    "pnK30Nh5nzHWgmhCoCp8XUcTwxaAH9cCk2O9UzzeMyczNG6+0Ru+Nqlkv32SujKH",
    "EK5yDzG0J9129X2vLZpC9X9k408V+sMRqv8o8thBMSU6zYMPGoMQDhVEcdxMNpoK",
    "euf7YevmnnMmNkwHKDHcTOnrscGwSKP2FHAIzKMwFIwZvEoIW9EBaR57JWbHlyaq",
    "x4gg70W07UcfUuWVcMNObCz7llgWeB9YkjayjSgssUw9O11rIOEgTMdNRQruR9RT",
    "QhFziFt3AgMBAAECggEAEsvYuHMSgEatIy6Tqv7UPEAIB5jnv3pe+Wx/1t1/kBY1",
    "iBILE7xaroqk900u6VQXM5XB1vERjyGac3OW8BjCTjwI2+WLm6NLduaqzkWwDn8E",
    "i8MfhlBbODlIN7GAX/xg6WTtxkSXI2vHJTN/JJRDAFo5EBt0H04P7xc1TdCE+mIo",
    "vTSJupBl5dRR6wP9FurFoDaUKdEOkkejK5Z4VK1y68o8yGZ0TVt2vRznkE5FW/Ox",
    "2zFUpC6ZQZ4Y6ycQ/ajp+kbF6bZZMZrzjxMG6zq9MB1QIEwX2M8UOjjTmz6XqgEU",
    "q2ocoANhLivcE7l/qsYvUva0Gl+OZZ6DWwLFUlFOAQKBgQD6rCo4dsNTw8icWqPZ",
    "WwcK6DuZWVMm9JWjXUQyYjVbFO+ltBujpf/uXTaJNSoQ9P2TJ+foSx33Ho78Iko5",
    "294Lsb/sMJxQor/8pko3M+2nI5liT6iewL469v9nQ0sQaT+ZFe8PS/WeWOy6L1Fw",
    "+s3WBLGqRYC1vip6PoSvsjnyYQKBgQDGzdNZBKDF7+M0bqZCqwULnXUZMSOMGttS",
    "dc4Dysft+kC9zeMf+PRQvgzNkbj6bow0xkcTVLEKkBdr/etCy1Jq4uMe2mIhy/7D",
    "V2YYW/K3DIijNXD8hM0w5+NQEtMXbhSnadjgb/ozWjLXVJDI/THydvPUKuVQH7vl",
    "gjTKu4lM1wKBgF5q7Lg525a4ft6NsXuUMtHj6Vb4cz6QD7Dp118W6Lv25dFHRsXc",
    "J8szpvAFa2PZs41zEYHIkW/cPcUwcT7b1wYWnJCtOqOQubnDNN8YGyLCYOrL0FqD",
    "hOOW11qg2SxESGU0AsiDNu++1OPIIOfqQA+l0vmsli9egodq9vVqrzLhAoGBALmW",
    "U4J6a4vcUYIU+WirNl6Nc089LC4StEPabaPknZdvUxjdJvYl9g2aHWGac9B1erWZ",
    "k6hcG5n8waCyvfjwzdOyUsvumkVqpj29TTXYQFDZhoS10vApGVRaZT3PFPh+bxGK",
    "IkgCwNNHlManzzGSDBqJKT4bfU67ETFDx/yp7ZapAoGBAKFl6JIDVQde1YT6jImJ",
    "O/ADjwpwkxDV0fQ2whxjRFTzSXy3DyEHe6KcNwwTS1fLQdnG/0B0O9En8cbNxYjC",
    "KnRW0lKlGrILrjmktJzJcxney2H1i+N904GjK8yveDH5WSnwQ8D6MDwWOM1Kwb6v",
    "pSDTPjVsi52rqvH1UZ/Oj/Zq",
    "-----END PRIVATE KEY-----",
  ].join("\n"),
  client_email: "risc-admin@evergreen-dev.iam.gserviceaccount.com",
  client_id: "100000000000000000042",
  token_uri: "https://oauth2.googleapis.com/token",
} as const;
