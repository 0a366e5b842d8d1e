"""Identity verification before personal data: who is typing may see only their own records.

A chat identity (the Rasa sender id, "subject") is verified for one ID number by one of three
methods (adapters): a one-time code sent by SMS to the mobile the registry holds (``sms``), the
physical ID card checked by counter staff (``counter``), or OpenID Connect against the
government single sign-on (``oidc``). Until then the registry endpoint refuses the lookup.
"""
