"""Wire protocols driven by botocore's service models.

``specs`` loads and indexes the models, ``json_codec`` and ``query_codec`` turn wire bytes into the Python values a
boto3 user passed (and results back into wire bytes), and ``validation`` enforces the model's constraints the way
AWS's front end does.  Nothing here knows about a particular operation: every behaviour comes from the shapes.
"""
