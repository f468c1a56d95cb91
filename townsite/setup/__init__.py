"""The town set-up wizard, the admin dashboard and staff invitations."""
