"""What the policy simulator reads from IAM's action catalogue (:mod:`mockrunner.model.action_catalogue`): whether an
action is one IAM models, whether a simulated resource is of a type the action takes, and the name of a result over
several resources.

Recorded from AWS, 2026-09-11 (radkawar/stackd commit 9dc356f5, ``testdata/aws/iam/simulation_inputs.json`` and
``simulation.json``; each rule names its cases):

* A known action (one the catalogue lists, any case) on a resource ARN that is none of its resource types is
  ``implicitDeny``, with no matched statement, whatever the policies allow ("resource_wrong_type": ``s3:GetObject``
  on an IAM user's ARN under ``Allow s3:GetObject *``; "input_resources_known_*": ``iam:GetUser`` on S3 objects,
  ``iam:PassRole`` on users, ``sts:AssumeRole`` on users, ``s3:ListAllMyBuckets``, ``iam:ListUsers``,
  ``sts:GetCallerIdentity`` and ``ec2:DescribeInstances``, which take no resource type, on any ARN; each allowed on
  its own type).  ARNs are compared with the types' templates as :mod:`mockrunner.model.arn_templates` reads them.
* S3's bucket and object types stand for each other ("input_resources_known_s3_buckets", "_s3_objects":
  ``s3:GetObject`` on a bucket's ARN and ``s3:ListBucket`` on an object's were both allowed; other S3 actions that
  take one of the two are read alike, *unverified*).
* An unknown action (``madeup:Action``, ``s3:MadeUp``, ``s3:*``) is matched against the policies literally, and a
  result of one over several resources is named ``*`` ("input_action_groups_unknown", "_unknown_single",
  "_madeup_single").
* Known and unknown actions together over named resources (``*`` among them included) are refused: "Invalid Input
  Actions: [<known>] and [<unknown>] require different authorization information. " (with its last space; each list
  in the request's order, comma-separated: "input_resources_*", "input_resources_global_mix").  Without
  ``ResourceArns`` they are simulated together ("input_action_groups_default"); with ``ResourceArns: ["*"]`` alike
  (*unverified*).
* A result over several resources is named by the action's service's ARN template, whatever the action, in the first
  resource's partition (:data:`TEMPLATES`, as recorded for seven services: "input_resources_known_*",
  "input_resources_partitions").  For another service: the SAR's template of its one resource type when it has one
  (SQS, recorded, is such a service and its name is that template), else
  ``arn:<partition>:<service>:${Region}:${Account}:${ResourceType}/${ResourceName}`` (*unverified* both).

What is left: (docs/behaviour.md, "IAM action catalogue: the simulator and reports").
"""
from __future__ import annotations

from collections.abc import Sequence

from mockrunner.arns import split_arn
from mockrunner.errors import ServiceError
from mockrunner.model import action_catalogue
from mockrunner.model.arn_templates import fits

TEMPLATES = {
    "s3": "arn:{partition}:s3:::${{BucketName}}/${{KeyName}}",
    "iam": "arn:{partition}:iam::${{Account}}:${{ResourceType}}/${{ResourceName}}",
    "sts": "arn:{partition}:iam::${{Account}}:${{RelativeId}}",
    "sqs": "arn:{partition}:sqs:${{Region}}:${{Account}}:${{QueueName}}",
    "kms": "arn:{partition}:kms:${{Region}}:${{Account}}:${{ResourceType}}/${{Id}}",
    "lambda": "arn:{partition}:lambda:${{Region}}:${{Account}}:${{ResourceType}}:${{ResourceId}}",
    "ec2": "arn:{partition}:ec2:${{Region}}:${{Account}}:${{ResourceType}}/${{ResourcePath}}",
}
"""The ``EvalResourceName`` of a known action's result over several resources, by service, as recorded."""
OTHER_TEMPLATE = "arn:{partition}:{service}:${{Region}}:${{Account}}:${{ResourceType}}/${{ResourceName}}"
"""*Unverified*: the name for a service with several resource types that no recording shows."""

S3_INTERCHANGEABLE = ("bucket", "object")
"""S3's resource types the simulator reads as one (recorded, see the module)."""

_LISTINGS = {"users": "user", "roles": "role", "groups": "group", "instanceprofiles": "instance-profile",
             "servercertificates": "server-certificate", "policies": "policy"}
_CREATED = {"createautoscalingconfiguration": "autoscalingconfiguration",
            "createobservabilityconfiguration": "observabilityconfiguration", "createvpcconnector": "vpcconnector"}
ENFORCED_FORMS: dict[str, tuple[str, ...]] = {
    # IAM names a listing's path prefix as its resource ("not authorized to perform: iam:ListUsers on resource:
    # arn:aws:iam::<account>:user/"); the SAR's row has none.  A prefix ends in "/": a user's own ARN is still no
    # resource of iam:ListUsers (recorded, "input_resources_known_iam_users").
    **{f"iam:list{name}": (f"arn:${{Partition}}:iam::${{Account}}:{kind}*/",) for name, kind in _LISTINGS.items()},
    # GetWebIdentityToken and its tag and scope checks are on arn:aws:sts::<account>:self (recorded from AWS:
    # radkawar/stackd testdata/aws/iam/outbound_identity.json).
    **{f"sts:{name}": ("arn:${Partition}:sts::${Account}:self",)
       for name in ("getwebidentitytoken", "taggetwebidentitytoken", "setwebidentitytokenscope")},
    # An App Runner Create names its resource before it exists, <name>/* (mockrunner's form, unverified).
    **{f"apprunner:{name}": (f"arn:${{Partition}}:apprunner:${{Region}}:${{Account}}:{kind}/${{Name}}/*",)
       for name, kind in _CREATED.items()},
    "apprunner:tagresource": tuple(f"arn:${{Partition}}:apprunner:${{Region}}:${{Account}}:{kind}/${{Name}}/*"
                                   for kind in _CREATED.values()),
}
"""Resources enforcement names for an action otherwise than the SAR's templates (tests/architecture/
test_authorization_reference.py, ``RESOURCE_FORMS``, gives each one's evidence): the simulator takes them too, so
that it answers as enforcement decides the requests mockrunner serves."""
ROOT_FORM = "arn:${Partition}:iam::${Account}:root"
"""The account root acting on itself (an IAM action on a user, with no ``UserName``): its own ARN."""


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message, 400)


def named_resources(resources: Sequence[str]) -> bool:
    """Whether the request names resources (``ResourceArns`` other than none or ``["*"]``)."""
    return bool(resources) and list(resources) != ["*"]


def check_action_groups(actions: Sequence[str], resources: Sequence[str]) -> None:
    """Known and unknown actions may not be simulated together over named resources (see the module)."""
    if not named_resources(resources):
        return
    known = [action for action in actions if action_catalogue.is_known(action)]
    unknown = [action for action in actions if not action_catalogue.is_known(action)]
    if known and unknown:
        raise _invalid(f"Invalid Input Actions: [{','.join(known)}] and [{','.join(unknown)}] require different "
                       "authorization information. ")


def applies(action: str, resource: str) -> bool:
    """Whether the simulator evaluates ``action`` on ``resource``: ``*``, an unknown action's any resource, or a known
    action's resource of one of its types (:func:`mockrunner.model.arn_templates.fits`: linear in the ARN)."""
    kinds = action_catalogue.resource_types(action)
    if kinds is None or resource == "*":
        return True
    if action.partition(":")[0].lower() == "s3" and set(kinds) & set(S3_INTERCHANGEABLE):
        kinds = tuple(dict.fromkeys((*kinds, *S3_INTERCHANGEABLE)))
    forms = [*action_catalogue.templates(action, kinds), *ENFORCED_FORMS.get(action.lower(), ())]
    if action.partition(":")[0].lower() == "iam" and "user" in kinds:
        forms.append(ROOT_FORM)
    return any(fits(resource, template) for template in forms)


def template(action: str, resources: Sequence[str]) -> str:
    """The ``EvalResourceName`` of ``action``'s result over several ``resources`` (see the module)."""
    if not action_catalogue.is_known(action):
        return "*"
    service = action.partition(":")[0].lower()
    first = split_arn(resources[0])
    partition = first.partition if first is not None and first.partition else "aws"
    if service in TEMPLATES:
        return TEMPLATES[service].format(partition=partition)
    found = action_catalogue.service(service)
    if found is not None and len(found.resources) == 1:
        (arns,) = found.resources.values()
        return arns[0].replace("${Partition}", partition, 1)
    return OTHER_TEMPLATE.format(partition=partition, service=service)
