"""Open311 GeoReport v2 (CASE-1), mounted at /open311/v2/.

Plain Django views; XML (required by the spec) and JSON. GET routes are public and show
public data only (CASE-11); POST requests.{fmt} needs an api_key issued with
`manage.py open311_key create NAME`. Each key files its cases under its own account
(role partner, username "open311:NAME").

What is not taken from clients: email, first_name, last_name, phone, device_id and
account_id are accepted and dropped — no personal data is stored from this channel until
the PEOPLE records can hold it encrypted. address_id is unsupported (send lat/long).
media_url is kept as an internal (non-public) note on the case, never fetched.
"""
