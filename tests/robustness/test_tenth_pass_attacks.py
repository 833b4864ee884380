"""An attacker's tenth pass: what STS, IAM authorization, App Runner, ECR and the admin API cost under the store lock
as sessions, policies, operations, rules and the decision log grow; and whether their answers stay well-formed.

Finding (its test here failed before its fix):

* The policy suggestion (``GET /_mockrunner/policies/suggest``) and the dashboard's explanation of a decision
  re-read the repository policy a decision was evaluated against with the IAM grammar, which refuses statements
  sharing a ``Sid``; ECR accepts them (docs/behaviour.md, "ECR: repository policy text as ECR writes it"), so one
  such policy made both answer 500 with Flask's HTML-less internal error instead of the suggestion.  They now read
  the policy as the authorizer does (``mockrunner.suggest.documents.reference``).

Probes that held (real server in its own process, boto3 over loopback, best of 3-5 calls; not pinned here: each
grows linearly in what one request or the state's enforced quotas hold):

* STS: AssumeRole with 50 tags, 10 policy ARNs (6 KB managed policies) and a 750-character session policy 2.7 ms
  (a 7 KB one is refused ``PackedPolicyTooLarge`` in 3.8 ms: the 2,048-character plaintext bound holds before
  packing); GetFederationToken the same 2.5-3.0 ms; 200 chained AssumeRole calls 3.2-4.3 ms each, flat;
  GetAccessKeyInfo 0.8 ms; DecodeAuthorizationMessage with 1 KB-10 KB 0.8 ms (100 KB: the model's 10,240 bound
  refuses it in 1.9 ms).  AssumeRoleWithSAML with 10, 100 and 300 session tags (7-62 KB assertions), 100 attributes
  or one attribute of 1,000 values 38-46 ms (the RSA signature check; assertions over the model's 100,000
  characters are refused before it); AssumeRoleWithWebIdentity with 10, 100 and 300 tags, audiences and transitive
  keys 1.5-2.6 ms (tokens over 20,000 characters refused by the model).
* IAM authorization of a user in 1 and 10 groups, each with 10 attached 6,144-character policies and a 5,000
  character inline policy, 10 attached user policies and a permissions boundary (360 and 3,600 statements): a warm
  GetUser 1.0-1.1 ms; TagUser then GetUser (every IAM mutation invalidates the compiled set, so each call
  recompiles) 2.0 ms for both at either size: documents stay parsed by text, only the principal's set is rebuilt.
* ECR: PutImage with 1, 100 and 1,000 layers under 25 rules x 100 destinations (the model's bounds) 2.5-3.9 ms,
  with 25 same-account regions as destinations (each a real copy) 2.6, 4.7 and 27.7 ms;
  DescribeImageReplicationStatus of 2,500 statuses 8.6 ms; a repository policy of 60 statements near the
  10,240-character limit evaluated on each request under 1 ms.
* Admin API and dashboard with the decision log at its 10,000-entry bound (in-process): ``/policies/suggest`` 148
  ms (18 ms at 1,000), ``/ui/decisions`` 11 ms (paged), ``/decisions`` 89 ms for 8.8 MB; linear in the log's
  bound.  ``/state`` import builds the new state outside the store lock and swaps it in.
* App Runner: ``ListServices`` over 30 services (the default quota) 1.4 ms; ``ListOperations`` and
  ``DescribeService`` of a service after 20, 200 and 800 pause/resume operations 1.5-1.6 ms and 0.9 ms, flat (a
  page of 20 from the newest end); ``DescribeCustomDomains`` with the 5 domains a service may have 0.9 ms.
  Services, custom domains, connections and configuration revisions stop at the configured quotas.
"""
from __future__ import annotations

import json

from tests.dashboard.test_pages import page
from tests.iam.federation import admin
from tests.iam.helpers import ACCOUNT, user_with_key

_PULLER = f"arn:aws:iam::{ACCOUNT}:user/puller"


def test_a_repository_policy_sharing_a_sid_is_suggested_for_and_explained(aws):
    """Two statements named ``same`` (ECR accepts it): the suggestion replays the denials against it, and the
    explanation page shows the decision; both answered 500 before."""
    key = user_with_key(aws, "puller")
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="app")
    statement = {"Sid": "same", "Effect": "Allow", "Principal": {"AWS": _PULLER}, "Action": "ecr:DescribeImages",
                 "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    ecr.set_repository_policy(repositoryName="app", policyText=json.dumps(
        {"Version": "2012-10-17", "Statement": [statement, {**statement, "Action": "ecr:ListImages"}]}))
    puller = aws.client("ecr", key["AccessKeyId"], key["SecretAccessKey"])
    for call in (puller.describe_images, puller.list_images):
        try:
            call(repositoryName="app")
        except puller.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "AccessDeniedException"
        else:
            raise AssertionError("the caller should be denied")
    status, answer = admin(aws, "GET", f"/policies/suggest?principal={_PULLER}")
    assert status == 200, answer
    assert answer["proof"]["replayed"] == 2 and answer["proof"]["allAllowed"] is True
    statuses, decisions = admin(aws, "GET", "/decisions?principal=" + _PULLER)
    assert statuses == 200 and decisions["count"] == 2
    status, html = page(aws, f"/decisions/{decisions['decisions'][0]['id']}")
    assert status == 200 and "repository policy" in html
