"""Microsoft Teams and email (Microsoft Graph) adapter. See docs/teams.md.

Only this package imports the Teams SDK (microsoft_teams), msgraph, kiota and azure-identity.
"""
