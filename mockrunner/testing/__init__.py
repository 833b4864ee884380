"""Ways into mockrunner from tests: in-process interception of botocore, and a threaded HTTP server."""
