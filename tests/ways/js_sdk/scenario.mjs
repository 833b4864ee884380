// One scenario through the four services with the AWS SDK for JavaScript v3 (its own serializers, parsers and
// SigV4 signer): prints one JSON object per step, {"step": ..., ...}, for tests/ways/test_js_sdk.py to check.
import {
  AppRunnerClient, CreateServiceCommand, DeleteServiceCommand, DescribeServiceCommand, ListServicesCommand,
  TagResourceCommand, ListTagsForResourceCommand,
} from "@aws-sdk/client-apprunner";
import {
  IAMClient, CreateUserCommand, CreateRoleCommand, GetRoleCommand, AttachRolePolicyCommand, GetPolicyCommand,
  ListPoliciesCommand, CreateAccessKeyCommand, PutUserPolicyCommand, CreateServiceLinkedRoleCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { ECRClient, CreateRepositoryCommand, DescribeImagesCommand, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";

const endpoint = process.argv[2];
const root = { accessKeyId: "test", secretAccessKey: "test" };
const config = (credentials) => ({ region: "us-east-1", endpoint, credentials, maxAttempts: 1 });
const emit = (step, value) => console.log(JSON.stringify({ step, ...value }));
const failure = (e) => ({ error: e.name, message: e.message, status: e.$metadata?.httpStatusCode });

const iam = new IAMClient(config(root));
emit("whoami", { arn: (await new STSClient(config(root)).send(new GetCallerIdentityCommand({}))).Arn });
await iam.send(new CreateUserCommand({ UserName: "js", Tags: [{ Key: "team", Value: "web" }] }));
const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "js" }))).AccessKey;
const user = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [
  { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }] });
const role = (await iam.send(new CreateRoleCommand({ RoleName: "deployer", AssumeRolePolicyDocument: trust }))).Role;
emit("role", { arn: role.Arn, trust: decodeURIComponent(
  (await iam.send(new GetRoleCommand({ RoleName: "deployer" }))).Role.AssumeRolePolicyDocument) });
await iam.send(new AttachRolePolicyCommand({ RoleName: "deployer", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }));
const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }))).Policy;
emit("policy", { id: policy.PolicyId, description: policy.Description, attachments: policy.AttachmentCount });
const page = await iam.send(new ListPoliciesCommand({ Scope: "AWS", MaxItems: 2 }));
emit("policies", { count: page.Policies.length, truncated: page.IsTruncated, marker: Boolean(page.Marker) });
emit("slr", { name: (await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "apprunner.amazonaws.com" }))).Role.RoleName });
const simulated = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role.Arn, ActionNames: ["s3:GetObject", "s3:PutObject"] }));
emit("simulate", { decisions: simulated.EvaluationResults.map((r) => r.EvalDecision) });

// The user: refused, then allowed once a policy grants it.
try { await new STSClient(config(user)).send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: "js" })); }
catch (e) { emit("assume-refused", failure(e)); }
await iam.send(new PutUserPolicyCommand({ UserName: "js", PolicyName: "assume", PolicyDocument: JSON.stringify({
  Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: role.Arn }] }) }));
const assumed = (await new STSClient(config(user)).send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: "js" }))).Credentials;
const session = { accessKeyId: assumed.AccessKeyId, secretAccessKey: assumed.SecretAccessKey, sessionToken: assumed.SessionToken };
emit("session", { arn: (await new STSClient(config(session)).send(new GetCallerIdentityCommand({}))).Arn });

const ecr = new ECRClient(config(root));
const repo = (await ecr.send(new CreateRepositoryCommand({ repositoryName: "web" }))).repository;
emit("repository", { uri: repo.repositoryUri });
emit("token", { endpoint: (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData[0].proxyEndpoint });
try { await ecr.send(new DescribeImagesCommand({ repositoryName: "missing" })); } catch (e) { emit("ecr-missing", failure(e)); }

const apprunner = new AppRunnerClient(config(root));
const service = (await apprunner.send(new CreateServiceCommand({ ServiceName: "web-app", SourceConfiguration: {
  ImageRepository: { ImageIdentifier: "public.ecr.aws/nginx/nginx:latest", ImageRepositoryType: "ECR_PUBLIC",
    ImageConfiguration: { Port: "80" } }, AutoDeploymentsEnabled: false } }))).Service;
emit("service", { arn: service.ServiceArn, status: service.Status });
await apprunner.send(new TagResourceCommand({ ResourceArn: service.ServiceArn, Tags: [{ Key: "env", Value: "dev" }] }));
emit("service-tags", { tags: (await apprunner.send(new ListTagsForResourceCommand({ ResourceArn: service.ServiceArn }))).Tags });
emit("services", { count: (await apprunner.send(new ListServicesCommand({}))).ServiceSummaryList.length });
// The role session (ReadOnlyAccess): may describe, may not delete.
const readOnly = new AppRunnerClient(config(session));
emit("service-read", { name: (await readOnly.send(new DescribeServiceCommand({ ServiceArn: service.ServiceArn }))).Service.ServiceName });
try { await readOnly.send(new DeleteServiceCommand({ ServiceArn: service.ServiceArn })); }
catch (e) { emit("apprunner-refused", failure(e)); }
