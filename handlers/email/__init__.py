"""Email to people on neither Slack nor Teams: one rendering (plain text and HTML, with answer links) and the
transports UK public services use: GOV.UK Notify, an authenticated SMTP relay, Microsoft Graph sendMail."""
