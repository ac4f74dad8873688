"""A real OpenID Connect provider for the ProConnect tests: django-oauth-toolkit's, served by the live
server beside the product under /fournisseur/ (urls.py: a test URL conf only, never the product's).

The provider's people are accounts of the same user table (django-oauth-toolkit needs one), without email
or role, so that the product can never match them; what the provider says about each (email, names,
siret, acr, amr) is its directory, IDENTITIES, filled by the tests."""
