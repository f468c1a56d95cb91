"""A town's own site: its profile and set-up, neighbourhoods, residents, staff invitations.

Tenant app: every table here lives in each collectivité's schema.
"""
