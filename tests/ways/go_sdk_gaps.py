"""What the packaged AWS SDKs for Go lack of botocore's operations and members, and where their older models make
them differ from botocore, with the reason: the Go SDK sweeps (``test_go_sdk_every_operation.py``,
``test_go_sdk_v1_every_operation.py``) assert that what each SDK lacks is exactly its table (found from the SDK's
structs, never assumed) and that each expected difference still differs."""
from __future__ import annotations

NEWER_THAN_V2 = "added to the API after the packaged AWS SDK for Go v2 (1.17.1, Debian 12) was generated"
GO_SDK_LACKS: dict[str, str] = dict.fromkeys((
    "apprunner.CreateVpcIngressConnection", "apprunner.DeleteVpcIngressConnection",
    "apprunner.DescribeVpcIngressConnection", "apprunner.ListServicesForAutoScalingConfiguration",
    "apprunner.ListVpcIngressConnections", "apprunner.UpdateDefaultAutoScalingConfiguration",
    "apprunner.UpdateVpcIngressConnection", "ecr.CreateRepositoryCreationTemplate",
    "ecr.DeleteRepositoryCreationTemplate", "ecr.DeleteSigningConfiguration", "ecr.DeregisterPullTimeUpdateExclusion",
    "ecr.DescribeImageSigningStatus", "ecr.DescribeReplicationBackfillResults",
    "ecr.DescribeRepositoryCreationTemplates", "ecr.GetAccountSetting", "ecr.GetSigningConfiguration",
    "ecr.ListImageReferrers", "ecr.ListPullTimeUpdateExclusions", "ecr.ListReplicationBackfills",
    "ecr.PutAccountSetting", "ecr.PutSigningConfiguration", "ecr.RegisterPullTimeUpdateExclusion",
    "ecr.StartReplicationBackfill", "ecr.StopReplicationBackfill", "ecr.UpdateImageStorageClass",
    "ecr.UpdatePullThroughCacheRule", "ecr.UpdateRepositoryCreationTemplate", "ecr.ValidatePullThroughCacheRule",
    "iam.AcceptDelegationRequest", "iam.AcquireRole", "iam.AssociateDelegationRequest", "iam.CreateDelegationRequest",
    "iam.DisableOrganizationsRootCredentialsManagement", "iam.DisableOrganizationsRootSessions",
    "iam.DisableOutboundWebIdentityFederation", "iam.EnableOrganizationsRootCredentialsManagement",
    "iam.EnableOrganizationsRootSessions", "iam.EnableOutboundWebIdentityFederation", "iam.GetAccountProperties",
    "iam.GetDelegationRequest", "iam.GetHumanReadableSummary", "iam.GetMFADevice",
    "iam.GetOutboundWebIdentityFederationInfo", "iam.GetRoleTemplateVersion", "iam.ListDelegationRequests",
    "iam.ListOrganizationsFeatures", "iam.PutAccountProperties", "iam.RejectDelegationRequest",
    "iam.SendDelegationToken", "iam.UpdateDelegationRequest", "iam.UpdateOpenIDConnectProvider", "sts.AssumeRoot",
    "sts.GetDelegatedAccessToken", "sts.GetScopedCredentials", "sts.GetWebIdentityToken",
), NEWER_THAN_V2) | dict.fromkeys((
    "apprunner.AutoScalingConfiguration.HasAssociatedService", "apprunner.AutoScalingConfiguration.IsDefault",
    "apprunner.AutoScalingConfigurationSummary.CreatedAt",
    "apprunner.AutoScalingConfigurationSummary.HasAssociatedService",
    "apprunner.AutoScalingConfigurationSummary.IsDefault", "apprunner.AutoScalingConfigurationSummary.Status",
    "apprunner.CodeRepository.SourceDirectory", "apprunner.DeleteAutoScalingConfigurationRequest.DeleteAllRevisions",
    "apprunner.DescribeCustomDomainsResponse.VpcDNSTargets", "apprunner.DisassociateCustomDomainResponse.VpcDNSTargets",
    "apprunner.NetworkConfiguration.IngressConfiguration", "apprunner.NetworkConfiguration.IpAddressType",
    "ecr.CreatePullThroughCacheRuleRequest.credentialArn", "ecr.CreatePullThroughCacheRuleRequest.customRoleArn",
    "ecr.CreatePullThroughCacheRuleRequest.upstreamRegistry",
    "ecr.CreatePullThroughCacheRuleRequest.upstreamRepositoryPrefix",
    "ecr.CreateRepositoryRequest.imageTagMutabilityExclusionFilters", "ecr.ImageDetail.imageStatus",
    "ecr.ListImagesFilter.imageStatus", "ecr.PullThroughCacheRule.upstreamRegistry",
    "ecr.ReplicationRule.deleteReplication", "iam.CreateLoginProfileRequest.MaxSigninSessionDuration",
    "iam.CreateOpenIDConnectProviderRequest.ContextProvider",
    "iam.CreateServiceSpecificCredentialRequest.CredentialAgeDays",
    "iam.GetSAMLProviderResponse.AssertionEncryptionMode", "iam.GetSAMLProviderResponse.PrivateKeyList",
    "iam.GetSAMLProviderResponse.SAMLProviderUUID", "iam.ListServiceSpecificCredentialsRequest.AllUsers",
    "iam.ListServiceSpecificCredentialsRequest.MaxItems", "iam.ListServiceSpecificCredentialsResponse.IsTruncated",
    "iam.OpenIDConnectProviderListEntry.IsTrustedIdentityPropagationEnabled",
    "iam.SAMLProviderListEntry.IsTrustedIdentityPropagationEnabled",
    "iam.SimulateCustomPolicyRequest.OrderedOrganizationPolicyInputList",
    "iam.SimulatePrincipalPolicyRequest.PolicyExclusionList",
    "iam.UpdateLoginProfileRequest.ResetMaxSigninSessionDuration", "iam.UpdateRoleRequest.MaxSigninSessionDuration",
    "iam.UpdateRoleRequest.ResetMaxSigninSessionDuration", "iam.UpdateSAMLProviderRequest.ContextProvider",
    "iam.UpdateSAMLProviderRequest.IdentityCenterInstanceArn", "iam.UpdateSAMLProviderRequest.RemoveContextProvider",
    "iam.UpdateSAMLProviderRequest.RemoveIdentityCenterInstance", "iam.UpdateSAMLProviderRequest.RemovePrivateKey",
    "sts.AssumeRoleRequest.MinimumSessionTokenSize", "sts.AssumeRoleWithSAMLRequest.MinimumSessionTokenSize",
    "sts.AssumeRoleWithWebIdentityRequest.MinimumSessionTokenSize",
), NEWER_THAN_V2)
"""``service.Operation`` (not called) or ``service.Shape.member`` (left out of both calls' inputs, or of botocore's
output before comparing) -> why the Go SDK v2 cannot send or read it."""
NEWER_THAN_V1 = "added to the API after the packaged AWS SDK for Go v1 (1.44.133, Debian 12) was generated"
IN_V1_NOT_V2 = frozenset((
    "apprunner.CreateVpcIngressConnection", "apprunner.DeleteVpcIngressConnection",
    "apprunner.DescribeVpcIngressConnection", "apprunner.ListVpcIngressConnections",
    "apprunner.UpdateVpcIngressConnection", "apprunner.DescribeCustomDomainsResponse.VpcDNSTargets",
    "apprunner.DisassociateCustomDomainResponse.VpcDNSTargets", "apprunner.NetworkConfiguration.IngressConfiguration",
))
"""App Runner's private endpoints (VPC ingress connections): in the packaged v1 SDK, newer than the v2 one."""
GO_V1_SDK_LACKS: dict[str, str] = {name: NEWER_THAN_V1 for name in GO_SDK_LACKS if name not in IN_V1_NOT_V2}
"""The same for the Go SDK v1 (1.44.133): the v2 SDK's gaps but for App Runner's private endpoints."""

OLDER_MODEL = "the Go SDK {}'s model {}: its own validation refuses the input botocore sends"
REQUIRED = {("iam", "CreateLoginProfile"): "requires UserName and Password, optional in botocore's",
            ("iam", "CreateOpenIDConnectProvider"): "requires ThumbprintList, optional in botocore's"}
GO_SDK_EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {
    operation: OLDER_MODEL.format("v2 1.17.1", why) for operation, why in REQUIRED.items()}
"""(service, operation) -> why the Go SDK v2's outcome differs from botocore's while mockrunner is right."""
GO_V1_EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {
    operation: OLDER_MODEL.format("v1 1.44.133", why) for operation, why in {
        **REQUIRED, ("apprunner", "CreateService"): "has InstanceConfiguration's Cpu and Memory at least 4 "
                                                    "characters long, 3 in botocore's"}.items()}
"""The same for the Go SDK v1."""
