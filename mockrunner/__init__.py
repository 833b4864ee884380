"""mockrunner: a local, faithful mock of AWS App Runner, IAM, STS and the ECR pull path that enforces IAM."""

__version__ = "0.1.0"
