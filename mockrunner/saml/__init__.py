"""SAML 2.0 for ``AssumeRoleWithSAML``: IdP metadata, verifying SAML responses, and a built-in IdP for tests.

``metadata`` reads an IdP's metadata document (entity id, signing certificates); ``response`` checks a SAML
response as STS does (XML signature by signxml against the metadata's certificates, then conditions and
attributes); ``condition_keys`` derives the ``saml:`` keys; ``idp`` mints signed responses and metadata for tests;
``admin_routes`` serves them under ``/_mockrunner/saml/``.  lxml and signxml are imported on first use only.
"""
