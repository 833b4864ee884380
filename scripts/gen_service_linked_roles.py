"""Generate ``mockrunner/data/service_linked_roles.json``: the service-linked role of every service with evidence.

Per AWS service principal: the role name, its path (``/aws-service-role/<principal>/``), the AWS managed policy
attached to it, whether ``CustomSuffix`` is allowed and, where known, the ``Description`` the service gives it.

Evidence, in order:

1. The AWS managed policies themselves (``mockrunner/data/managed_policies``, see ``gen_managed_policies.py``): AWS
   grants ``iam:CreateServiceLinkedRole`` on ``arn:aws:iam::*:role/aws-service-role/<principal>/<role name>`` in
   them, which names the role of each principal they mention.
2. :data:`CURATED`: services whose role or attached policy (1) cannot tell, from the services' "Using
   service-linked roles" pages of their user guides (also collected in LocalStack's
   ``services/iam/resources/service_linked_roles.py``, Apache-2.0) and mockrunner's App Runner roles;
   :data:`DOCUMENTED`: services whose role no managed policy names (or names otherwise than their guide), from
   their guides' "Using service-linked roles" pages, the Application Auto Scaling User Guide and the AWS Managed
   Policy Reference (which says which policies are service-linked role policies).
3. The attached policy of a role found in (1): an ``/aws-service-role/`` policy named after the role
   (``AWSServiceRoleForX`` -> ``AWSServiceRoleForX``, ``XServiceRolePolicy``, ``XServiceLinkedRolePolicy``, ...),
   or, for Application Auto Scaling, ``AWSApplicationAutoscaling<Resource>Policy``.  A principal whose policy
   cannot be found is left out rather than guessed.

Custom suffixes: allowed only where the service documents them (:data:`SUFFIX_ALLOWED`).
Usage: ``python scripts/gen_service_linked_roles.py``.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "mockrunner" / "data" / "managed_policies" / "policies.txt.gz"
OUT = ROOT / "mockrunner" / "data" / "service_linked_roles.json"
PREFIX = "AWSServiceRoleFor"
SLR_ARN = re.compile(r"arn:aws:iam::\*:role/aws-service-role/([a-z0-9.-]+\.amazonaws\.com)/(" + PREFIX
                     + r"[A-Za-z0-9+=,.@_-]*?)_?(?=[*\"])")

# principal -> (role name, attached policy name): documented roles that the policies do not name, or whose
# attached policy is not named after the role.
CURATED: dict[str, tuple[str, str]] = {
    "apprunner.amazonaws.com": ("AWSServiceRoleForAppRunner", "AppRunnerServiceRolePolicy"),
    "networking.apprunner.amazonaws.com": ("AWSServiceRoleForAppRunnerNetworking",
                                           "AppRunnerNetworkingServiceRolePolicy"),
    "accountdiscovery.ssm.amazonaws.com": ("AWSServiceRoleForAmazonSSM_AccountDiscovery",
                                           "AWSSystemsManagerAccountDiscoveryServicePolicy"),
    "acm.amazonaws.com": ("AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy"),
    "appmesh.amazonaws.com": ("AWSServiceRoleForAppMesh", "AWSAppMeshServiceRolePolicy"),
    "autoscaling-plans.amazonaws.com": ("AWSServiceRoleForAutoScalingPlans_EC2AutoScaling",
                                        "AWSAutoScalingPlansEC2AutoScalingPolicy"),
    "autoscaling.amazonaws.com": ("AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy"),
    "backup.amazonaws.com": ("AWSServiceRoleForBackup", "AWSBackupServiceLinkedRolePolicyForBackup"),
    "batch.amazonaws.com": ("AWSServiceRoleForBatch", "BatchServiceRolePolicy"),
    "cks.kms.amazonaws.com": ("AWSServiceRoleForKeyManagementServiceCustomKeyStores",
                              "AWSKeyManagementServiceCustomKeyStoresServiceRolePolicy"),
    "cloudtrail.amazonaws.com": ("AWSServiceRoleForCloudTrail", "CloudTrailServiceRolePolicy"),
    "codestar-notifications.amazonaws.com": ("AWSServiceRoleForCodeStarNotifications",
                                             "AWSCodeStarNotificationsServiceRolePolicy"),
    "config.amazonaws.com": ("AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy"),
    "connect.amazonaws.com": ("AWSServiceRoleForAmazonConnect", "AmazonConnectServiceLinkedRolePolicy"),
    "dms-fleet-advisor.amazonaws.com": ("AWSServiceRoleForDMSFleetAdvisor", "AWSDMSFleetAdvisorServiceRolePolicy"),
    "dms.amazonaws.com": ("AWSServiceRoleForDMSServerless", "AWSDMSServerlessServiceRolePolicy"),
    "docdb-elastic.amazonaws.com": ("AWSServiceRoleForDocDB-Elastic", "AmazonDocDB-ElasticServiceRolePolicy"),
    "ec2-instance-connect.amazonaws.com": ("AWSServiceRoleForEc2InstanceConnect", "Ec2InstanceConnectEndpoint"),
    "ecr.amazonaws.com": ("AWSServiceRoleForECRTemplate", "ECRTemplateServiceRolePolicy"),
    "ecs.amazonaws.com": ("AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"),
    "eks-connector.amazonaws.com": ("AWSServiceRoleForAmazonEKSConnector", "AmazonEKSConnectorServiceRolePolicy"),
    "eks-fargate.amazonaws.com": ("AWSServiceRoleForAmazonEKSForFargate", "AmazonEKSForFargateServiceRolePolicy"),
    "eks-nodegroup.amazonaws.com": ("AWSServiceRoleForAmazonEKSNodegroup", "AWSServiceRoleForAmazonEKSNodegroup"),
    "eks.amazonaws.com": ("AWSServiceRoleForAmazonEKS", "AmazonEKSServiceRolePolicy"),
    "elasticache.amazonaws.com": ("AWSServiceRoleForElastiCache", "ElastiCacheServiceRolePolicy"),
    "elasticbeanstalk.amazonaws.com": ("AWSServiceRoleForElasticBeanstalk", "AWSElasticBeanstalkServiceRolePolicy"),
    "elasticfilesystem.amazonaws.com": ("AWSServiceRoleForAmazonElasticFileSystem",
                                        "AmazonElasticFileSystemServiceRolePolicy"),
    "elasticloadbalancing.amazonaws.com": ("AWSServiceRoleForElasticLoadBalancing",
                                           "AWSElasticLoadBalancingServiceRolePolicy"),
    "email.cognito-idp.amazonaws.com": ("AWSServiceRoleForAmazonCognitoIdpEmailService",
                                        "AmazonCognitoIdpEmailServiceRolePolicy"),
    "emr-containers.amazonaws.com": ("AWSServiceRoleForAmazonEMRContainers", "AmazonEMRContainersServiceRolePolicy"),
    "emrwal.amazonaws.com": ("AWSServiceRoleForEMRWAL", "EMRDescribeClusterPolicyForEMRWAL"),
    "es.amazonaws.com": ("AWSServiceRoleForAmazonElasticsearchService", "AmazonElasticsearchServiceRolePolicy"),
    "fis.amazonaws.com": ("AWSServiceRoleForFIS", "AmazonFISServiceRolePolicy"),
    "grafana.amazonaws.com": ("AWSServiceRoleForAmazonGrafana", "AmazonGrafanaServiceLinkedRolePolicy"),
    "imagebuilder.amazonaws.com": ("AWSServiceRoleForImageBuilder", "AWSServiceRoleForImageBuilder"),
    "iotmanagedintegrations.amazonaws.com": ("AWSServiceRoleForIoTManagedIntegrations",
                                             "AWSIoTManagedIntegrationsRolePolicy"),
    "kafka.amazonaws.com": ("AWSServiceRoleForKafka", "KafkaServiceRolePolicy"),
    "kafkaconnect.amazonaws.com": ("AWSServiceRoleForKafkaConnect", "KafkaConnectServiceRolePolicy"),
    "lakeformation.amazonaws.com": ("AWSServiceRoleForLakeFormationDataAccess",
                                    "LakeFormationDataAccessServiceRolePolicy"),
    "lexv2.amazonaws.com": ("AWSServiceRoleForLexV2Bots", "AmazonLexV2BotPolicy"),
    "lightsail.amazonaws.com": ("AWSServiceRoleForLightsail", "LightsailExportAccess"),
    "m2.amazonaws.com": ("AWSServiceRoleForAWSM2", "AWSM2ServicePolicy"),
    "memorydb.amazonaws.com": ("AWSServiceRoleForMemoryDB", "MemoryDBServiceRolePolicy"),
    "mq.amazonaws.com": ("AWSServiceRoleForAmazonMQ", "AmazonMQServiceRolePolicy"),
    "mrk.kms.amazonaws.com": ("AWSServiceRoleForKeyManagementServiceMultiRegionKeys",
                              "AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy"),
    "notifications.amazonaws.com": ("AWSServiceRoleForAwsUserNotifications",
                                    "AWSUserNotificationsServiceLinkedRolePolicy"),
    "observability.aoss.amazonaws.com": ("AWSServiceRoleForAmazonOpenSearchServerless",
                                         "AmazonOpenSearchServerlessServiceRolePolicy"),
    "opensearchservice.amazonaws.com": ("AWSServiceRoleForAmazonOpenSearchService",
                                        "AmazonOpenSearchServiceRolePolicy"),
    "ops.apigateway.amazonaws.com": ("AWSServiceRoleForAPIGateway", "APIGatewayServiceRolePolicy"),
    "ops.emr-serverless.amazonaws.com": ("AWSServiceRoleForAmazonEMRServerless",
                                         "AmazonEMRServerlessServiceRolePolicy"),
    "opsdatasync.ssm.amazonaws.com": ("AWSServiceRoleForSystemsManagerOpsDataSync",
                                      "AWSSystemsManagerOpsDataSyncServiceRolePolicy"),
    "opsinsights.ssm.amazonaws.com": ("AWSServiceRoleForAmazonSSM_OpsInsights", "AWSSSMOpsInsightsServiceRolePolicy"),
    "pullthroughcache.ecr.amazonaws.com": ("AWSServiceRoleForECRPullThroughCache",
                                           "AWSECRPullThroughCache_ServiceRolePolicy"),
    "ram.amazonaws.com": ("AWSServiceRoleForResourceAccessManager", "AWSResourceAccessManagerServiceRolePolicy"),
    "rds.amazonaws.com": ("AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy"),
    "redshift.amazonaws.com": ("AWSServiceRoleForRedshift", "AmazonRedshiftServiceLinkedRolePolicy"),
    "replication.cassandra.amazonaws.com": ("AWSServiceRoleForKeyspacesReplication",
                                            "KeyspacesReplicationServiceRolePolicy"),
    "replication.ecr.amazonaws.com": ("AWSServiceRoleForECRReplication", "ECRReplicationServiceRolePolicy"),
    "repository.sync.codeconnections.amazonaws.com": ("AWSServiceRoleForGitSync", "AWSGitSyncServiceRolePolicy"),
    "resource-explorer-2.amazonaws.com": ("AWSServiceRoleForResourceExplorer",
                                          "AWSResourceExplorerServiceRolePolicy"),
    "rolesanywhere.amazonaws.com": ("AWSServiceRoleForRolesAnywhere", "AWSRolesAnywhereServicePolicy"),
    "s3-outposts.amazonaws.com": ("AWSServiceRoleForS3OnOutposts", "AWSS3OnOutpostsServiceRolePolicy"),
    "ses.amazonaws.com": ("AWSServiceRoleForAmazonSES", "AmazonSESServiceRolePolicy"),
    "shield.amazonaws.com": ("AWSServiceRoleForAWSShield", "AWSShieldServiceRolePolicy"),
    "ssm-incidents.amazonaws.com": ("AWSServiceRoleForIncidentManager", "AWSIncidentManagerServiceRolePolicy"),
    "ssm-quicksetup.amazonaws.com": ("AWSServiceRoleForSSMQuickSetup", "SSMQuickSetupRolePolicy"),
    "ssm.amazonaws.com": ("AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy"),
    "sso.amazonaws.com": ("AWSServiceRoleForSSO", "AWSSSOServiceRolePolicy"),
    "vpcorigin.cloudfront.amazonaws.com": ("AWSServiceRoleForCloudFrontVPCOrigin",
                                           "AWSCloudFrontVPCOriginServiceRolePolicy"),
    "waf.amazonaws.com": ("AWSServiceRoleForWAFLogging", "WAFLoggingServiceRolePolicy"),
    "guardduty.amazonaws.com": ("AWSServiceRoleForAmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy"),
    "organizations.amazonaws.com": ("AWSServiceRoleForOrganizations", "AWSOrganizationsServiceTrustPolicy"),
    "securityhub.amazonaws.com": ("AWSServiceRoleForSecurityHub", "AWSSecurityHubServiceRolePolicy"),
    "inspector2.amazonaws.com": ("AWSServiceRoleForAmazonInspector2", "AmazonInspector2ServiceRolePolicy"),
    "macie.amazonaws.com": ("AWSServiceRoleForAmazonMacie", "AmazonMacieServiceRolePolicy"),
    "support.amazonaws.com": ("AWSServiceRoleForSupport", "AWSSupportServiceRolePolicy"),
    "trustedadvisor.amazonaws.com": ("AWSServiceRoleForTrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy"),
    "access-analyzer.amazonaws.com": ("AWSServiceRoleForAccessAnalyzer", "AccessAnalyzerServiceRolePolicy"),
    "wafv2.amazonaws.com": ("AWSServiceRoleForWAFV2Logging", "WAFV2LoggingServiceRolePolicy"),
}

# Services whose role no managed policy names (or names differently from the service's guide), from the "Using
# service-linked roles" pages of the services' guides and the Application Auto Scaling User Guide's "Service-linked
# role ARN reference"; each attached policy is one of the /aws-service-role/ policies of the dataset.
DOCUMENTED: dict[str, tuple[str, str]] = {
    "application-insights.amazonaws.com": ("AWSServiceRoleForApplicationInsights",
                                           "CloudwatchApplicationInsightsServiceLinkedRolePolicy"),
    "cassandra-streams.amazonaws.com": ("AWSServiceRoleForAmazonKeyspacesCDC", "KeyspacesCDCServiceRolePolicy"),
    "lex.amazonaws.com": ("AWSServiceRoleForLexBots", "LexBotPolicy"),
    "channels.lex.amazonaws.com": ("AWSServiceRoleForLexChannels", "LexChannelPolicy"),
    "channels.lexv2.amazonaws.com": ("AWSServiceRoleForLexV2Channels", "AmazonLexChannelsAccess"),
    "replication.lexv2.amazonaws.com": ("AWSServiceRoleForLexV2Replication", "AmazonLexReplicationPolicy"),
    "delivery.logs.amazonaws.com": ("AWSServiceRoleForLogDelivery", "AWSServiceRoleForLogDeliveryPolicy"),
    "globalaccelerator.amazonaws.com": ("AWSServiceRoleForGlobalAccelerator", "AWSGlobalAcceleratorSLRPolicy"),
    "internetmonitor.amazonaws.com": ("AWSServiceRoleForInternetMonitor",
                                      "CloudWatchInternetMonitorServiceRolePolicy"),
    "iotroborunner.amazonaws.com": ("AWSServiceRoleForIoTRoboRunner", "AWSIotRoboRunnerServiceRolePolicy"),
    "neptune-graph.amazonaws.com": ("AWSServiceRoleForNeptuneGraph", "AWSServiceRoleForNeptuneGraphPolicy"),
    "private-marketplace.marketplace.amazonaws.com": ("AWSServiceRoleForPrivateMarketplaceAdmin",
                                                      "AWSServiceRoleForPrivateMarketplaceAdminPolicy"),
    "profile.amazonaws.com": ("AWSServiceRoleForProfile", "CustomerProfilesServiceLinkedRolePolicy"),
    "rum.amazonaws.com": ("AWSServiceRoleForCloudWatchRUM", "AmazonCloudWatchRUMServiceRolePolicy"),
    "schemas.amazonaws.com": ("AWSServiceRoleForSchemas", "AmazonEventBridgeSchemasServiceRolePolicy"),
    "securitylake.amazonaws.com": ("AWSServiceRoleForSecurityLake", "SecurityLakeServiceLinkedRole"),
    "resource-management.securitylake.amazonaws.com": ("AWSServiceRoleForSecurityLakeResourceManagement",
                                                       "SecurityLakeResourceManagementServiceRolePolicy"),
    "triage.security-ir.amazonaws.com": ("AWSServiceRoleForSecurityIncidentResponse_Triage",
                                         "AWSSecurityIncidentResponseTriageServiceRolePolicy"),
    "maintenance.elasticbeanstalk.amazonaws.com": ("AWSServiceRoleForElasticBeanstalkMaintenance",
                                                   "AWSElasticBeanstalkMaintenance"),
    "managedupdates.elasticbeanstalk.amazonaws.com": ("AWSServiceRoleForElasticBeanstalkManagedUpdates",
                                                      "AWSElasticBeanstalkManagedUpdatesServiceRolePolicy"),
    # Application Auto Scaling: one role per scalable service, <resource>.application-autoscaling.amazonaws.com.
    "comprehend.application-autoscaling.amazonaws.com": ("AWSServiceRoleForApplicationAutoScaling_ComprehendEndpoint",
                                                         "AWSApplicationAutoscalingComprehendEndpointPolicy"),
    "custom-resource.application-autoscaling.amazonaws.com": (
        "AWSServiceRoleForApplicationAutoScaling_CustomResource", "AWSApplicationAutoScalingCustomResourcePolicy"),
    "ecs.application-autoscaling.amazonaws.com": ("AWSServiceRoleForApplicationAutoScaling_ECSService",
                                                  "AWSApplicationAutoscalingECSServicePolicy"),
    "elasticache.application-autoscaling.amazonaws.com": ("AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG",
                                                          "AWSApplicationAutoscalingElastiCacheRGPolicy"),
    "kafka.application-autoscaling.amazonaws.com": ("AWSServiceRoleForApplicationAutoScaling_KafkaCluster",
                                                    "AWSApplicationAutoscalingKafkaClusterPolicy"),
    "lambda.application-autoscaling.amazonaws.com": ("AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency",
                                                     "AWSApplicationAutoscalingLambdaConcurrencyPolicy"),
    "neptune.application-autoscaling.amazonaws.com": ("AWSServiceRoleForApplicationAutoScaling_NeptuneCluster",
                                                      "AWSApplicationAutoscalingNeptuneClusterPolicy"),
    "rds.application-autoscaling.amazonaws.com": ("AWSServiceRoleForApplicationAutoScaling_RDSCluster",
                                                  "AWSApplicationAutoscalingRDSClusterPolicy"),
    "workspaces.application-autoscaling.amazonaws.com": ("AWSServiceRoleForApplicationAutoScaling_WorkSpacesPool",
                                                         "AWSApplicationAutoscalingWorkSpacesPoolPolicy"),
    # Other services' own guides.
    "appconfig.amazonaws.com": ("AWSServiceRoleForAppConfig", "AWSAppConfigServiceRolePolicy"),
    "mgn.amazonaws.com": ("AWSServiceRoleForApplicationMigrationService", "AWSApplicationMigrationServiceRolePolicy"),
    "bcm-data-exports.amazonaws.com": ("AWSServiceRoleForBCMDataExports", "AWSBCMDataExportsServiceRolePolicy"),
    "management.chatbot.amazonaws.com": ("AWSServiceRoleForAWSChatbot", "AWSChatbotServiceLinkedRolePolicy"),
    "cloud9.amazonaws.com": ("AWSServiceRoleForAWSCloud9", "AWSCloud9ServiceRolePolicy"),
    "logger.cloudfront.amazonaws.com": ("AWSServiceRoleForCloudFrontLogger", "AWSCloudFrontLogger"),
    "config-multiaccountsetup.amazonaws.com": ("AWSServiceRoleForConfigMultiAccountSetup",
                                               "AWSConfigMultiAccountSetupPolicy"),
    "devicefarm.amazonaws.com": ("AWSServiceRoleForDeviceFarm", "AWSDeviceFarmServiceRolePolicy"),
    "directconnect.amazonaws.com": ("AWSServiceRoleForDirectConnect", "AWSDirectConnectServiceRolePolicy"),
    "ec2fleet.amazonaws.com": ("AWSServiceRoleForEC2Fleet", "AWSEC2FleetServiceRolePolicy"),
    "spotfleet.amazonaws.com": ("AWSServiceRoleForEC2SpotFleet", "AWSEC2SpotFleetServiceRolePolicy"),
    "ec2scheduled.amazonaws.com": ("AWSServiceRoleForEC2ScheduledInstances", "AWSServiceRoleForEC2ScheduledInstances"),
    "drs.amazonaws.com": ("AWSServiceRoleForElasticDisasterRecovery", "AWSElasticDisasterRecoveryServiceRolePolicy"),
    "health.amazonaws.com": ("AWSServiceRoleForHealth_Organizations", "Health_OrganizationsServiceRolePolicy"),
    "ipam.amazonaws.com": ("AWSServiceRoleForIPAM", "AWSIPAMServiceRolePolicy"),
    "iotfleetwise.amazonaws.com": ("AWSServiceRoleForIoTFleetWise", "AWSIoTFleetwiseServiceRolePolicy"),
    "iottwinmaker.amazonaws.com": ("AWSServiceRoleForIoTTwinMaker", "AWSIoTTwinMakerServiceRolePolicy"),
    "replicator.lambda.amazonaws.com": ("AWSServiceRoleForLambdaReplicator", "AWSLambdaReplicator"),
    "license-manager.amazonaws.com": ("AWSServiceRoleForAWSLicenseManagerRole", "AWSLicenseManagerServiceRolePolicy"),
    "license-manager.member-account.amazonaws.com": ("AWSServiceRoleForAWSLicenseManagerMemberAccountRole",
                                                     "AWSLicenseManagerMemberAccountRolePolicy"),
    "license-manager-linux-subscriptions.amazonaws.com": (
        "AWSServiceRoleForAWSLicenseManagerLinuxSubscriptionsService",
        "AWSLicenseManagerLinuxSubscriptionsServiceRolePolicy"),
    "license-manager-user-subscriptions.amazonaws.com": (
        "AWSServiceRoleForAWSLicenseManagerUserSubscriptionsService",
        "AWSLicenseManagerUserSubscriptionsServiceRolePolicy"),
    "mediatailor.amazonaws.com": ("AWSServiceRoleForMediaTailor", "AWSMediaTailorServiceRolePolicy"),
    "refactor-spaces.amazonaws.com": ("AWSServiceRoleForMigrationHubRefactorSpaces",
                                      "AWSMigrationHubRefactorSpacesServiceRolePolicy"),
    "migrationhub-strategy.amazonaws.com": ("AWSServiceRoleForMigrationHubStrategy",
                                            "AWSMigrationHubStrategyServiceRolePolicy"),
    "migrationhub.amazonaws.com": ("AWSServiceRoleForMigrationHub", "MigrationHubServiceRolePolicy"),
    "networkmanager.amazonaws.com": ("AWSServiceRoleForNetworkManager", "AWSNetworkManagerServiceRolePolicy"),
    "panorama.amazonaws.com": ("AWSServiceRoleForAWSPanorama", "AWSPanoramaServiceLinkedRolePolicy"),
    "private-networks.amazonaws.com": ("AWSServiceRoleForPrivateNetworks", "AWSPrivateNetworksServiceRolePolicy"),
    "reachabilityanalyzer.networkinsights.amazonaws.com": ("AWSServiceRoleForReachabilityAnalyzer",
                                                           "AWSReachabilityAnalyzerServiceRolePolicy"),
    "robomaker.amazonaws.com": ("AWSServiceRoleForRoboMaker", "AWSRoboMakerServicePolicy"),
    "codeguru-profiler.amazonaws.com": ("AWSServiceRoleForCodeGuruProfiler", "AWSServiceRoleForCodeGuru-Profiler"),
    "groundstation.amazonaws.com": ("AWSServiceRoleForGroundStationDataflowEndpointGroup",
                                    "AWSServiceRoleForGroundStationDataflowEndpointGroupPolicy"),
    "sms.amazonaws.com": ("AWSServiceRoleForSMS", "AWSServiceRoleForSMS"),
    "reports.backup.amazonaws.com": ("AWSServiceRoleForBackupReports", "AWSServiceRolePolicyForBackupReports"),
    "restore-testing.backup.amazonaws.com": ("AWSServiceRoleForBackupRestoreTesting",
                                             "AWSServiceRolePolicyForBackupRestoreTesting"),
    "storagegateway.amazonaws.com": ("AWSServiceRoleForStorageGateway", "AWSStorageGatewayServiceRolePolicy"),
    "s2svpn.amazonaws.com": ("AWSServiceRoleForVPCS2SVPN", "AWSVPCS2SVpnServiceRolePolicy"),
    "verified-access.amazonaws.com": ("AWSServiceRoleForVPCVerifiedAccess", "AWSVPCVerifiedAccessServiceRolePolicy"),
    "mediapipelines.chime.amazonaws.com": ("AWSServiceRoleForAmazonChimeSDKMediaPipelines",
                                           "AmazonChimeSDKMediaPipelinesServiceLinkedRolePolicy"),
    "messaging.chime.amazonaws.com": ("AWSServiceRoleForChimeSDKMessaging", "AmazonChimeSDKMessagingServiceRolePolicy"),
    "transcription.chime.amazonaws.com": ("AWSServiceRoleForAmazonChimeTranscription",
                                          "AmazonChimeTranscriptionServiceLinkedRolePolicy"),
    "voiceconnector.chime.amazonaws.com": ("AWSServiceRoleForAmazonChimeVoiceConnector",
                                           "AmazonChimeVoiceConnectorServiceLinkedRolePolicy"),
    "evidently.amazonaws.com": ("AWSServiceRoleForCloudWatchEvidently", "AmazonCloudWatchEvidentlyServiceRolePolicy"),
    "connect-campaigns.amazonaws.com": ("AWSServiceRoleForConnectCampaigns",
                                        "AmazonConnectCampaignsServiceLinkedRolePolicy"),
    "detective.amazonaws.com": ("AWSServiceRoleForDetective", "AmazonDetectiveServiceLinkedRolePolicy"),
    "outposts.eks-local.amazonaws.com": ("AWSServiceRoleForAmazonEKSLocalOutpost",
                                         "AmazonEKSLocalOutpostServiceRolePolicy"),
    "fsx.amazonaws.com": ("AWSServiceRoleForAmazonFSx", "AmazonFSxServiceRolePolicy"),
    "malware-protection.guardduty.amazonaws.com": ("AWSServiceRoleForAmazonGuardDutyMalwareProtection",
                                                   "AmazonGuardDutyMalwareProtectionServiceRolePolicy"),
    "agentless.inspector2.amazonaws.com": ("AWSServiceRoleForAmazonInspector2Agentless",
                                           "AmazonInspector2AgentlessServiceRolePolicy"),
    "managedblockchain.amazonaws.com": ("AWSServiceRoleForAmazonManagedBlockchain",
                                        "AmazonManagedBlockchainServiceRolePolicy"),
    "custom.rds.amazonaws.com": ("AWSServiceRoleForRDSCustom", "AmazonRDSCustomServiceRolePolicy"),
    "workspaces-web.amazonaws.com": ("AWSServiceRoleForAmazonWorkSpacesWeb", "AmazonWorkSpacesWebServiceRolePolicy"),
    "app-integrations.amazonaws.com": ("AWSServiceRoleForAppIntegrations", "AppIntegrationsServiceLinkedRolePolicy"),
    "clientvpn.amazonaws.com": ("AWSServiceRoleForClientVPN", "ClientVPNServiceRolePolicy"),
    "clientvpn-connections.amazonaws.com": ("AWSServiceRoleForClientVPNConnections",
                                           "ClientVPNServiceConnectionsRolePolicy"),
    "stacksets.cloudformation.amazonaws.com": ("AWSServiceRoleForCloudFormationStackSetsOrgAdmin",
                                               "CloudFormationStackSetsOrgAdminServiceRolePolicy"),
    "member.org.stacksets.cloudformation.amazonaws.com": ("AWSServiceRoleForCloudFormationStackSetsOrgMember",
                                                          "CloudFormationStackSetsOrgMemberServiceRolePolicy"),
    "cloudhsm.amazonaws.com": ("AWSServiceRoleForCloudHSM", "CloudHSMServiceRolePolicy"),
    "cloudwatch-crossaccount.amazonaws.com": ("AWSServiceRoleForCloudWatchCrossAccount",
                                              "CloudWatch-CrossAccountAccess"),
    "dax.amazonaws.com": ("AWSServiceRoleForDAX", "DAXServiceRolePolicy"),
    "replication.dynamodb.amazonaws.com": ("AWSServiceRoleForDynamoDBReplication",
                                           "DynamoDBReplicationServiceRolePolicy"),
    "contributorinsights.dynamodb.amazonaws.com": ("AWSServiceRoleForDynamoDBCloudWatchContributorInsights",
                                                   "DynamoDBCloudWatchContributorInsightsServiceRolePolicy"),
    "ivs.amazonaws.com": ("AWSServiceRoleForIVSRecordToS3", "IVSRecordToS3"),
    "resource-groups.amazonaws.com": ("AWSServiceRoleForResourceGroups", "ResourceGroupsServiceRolePolicy"),
    "route53-recovery-readiness.amazonaws.com": ("AWSServiceRoleForRoute53RecoveryReadiness",
                                                 "Route53RecoveryReadinessServiceRolePolicy"),
    "route53resolver.amazonaws.com": ("AWSServiceRoleForRoute53Resolver", "Route53ResolverServiceRolePolicy"),
    "storage-lens.s3.amazonaws.com": ("AWSServiceRoleForS3StorageLens", "S3StorageLensServiceRolePolicy"),
    "waf-regional.amazonaws.com": ("AWSServiceRoleForWAFRegionalLogging", "WAFRegionalLoggingServiceRolePolicy"),
    "user-subscriptions.amazonaws.com": ("AWSServiceRoleForUserSubscriptions", "AWSServiceRoleForUserSubscriptions"),
    "qbusiness.amazonaws.com": ("AWSServiceRoleForQBusiness", "QBusinessServiceRolePolicy"),
    "q.amazonaws.com": ("AWSServiceRoleForAmazonQDeveloper", "AWSServiceRoleForAmazonQDeveloper"),
    "codewhisperer.amazonaws.com": ("AWSServiceRoleForCodeWhisperer", "AWSServiceRoleForCodeWhispererPolicy"),
    "dsql.amazonaws.com": ("AWSServiceRoleForAuroraDsql", "AuroraDsqlServiceLinkedRolePolicy"),
    "pcs.amazonaws.com": ("AWSServiceRoleForPCS", "AWSPCSServiceRolePolicy"),
    # Roles of the remaining /aws-service-role/ policies, from their services' "Using service-linked roles" pages
    # (a few from the AWS Managed Policy Reference and the Organizations trusted-access pages).
    "account-access.amazonaws.com": ("AWSServiceRoleForAccountAccessManager", "AccountAccessManagerServiceRolePolicy"),
    "ami.inspector2.amazonaws.com": (
        "AWSServiceRoleForAmazonInspector2Ami", "AmazonInspector2AmiScanServiceRolePolicy"),
    "appstudio-service.amazonaws.com": ("AWSServiceRoleForAppStudio", "AppStudioServiceRolePolicy"),
    "capacity-reservation-fleet.amazonaws.com": (
        "AWSServiceRoleForEC2CapacityReservationFleet", "AWSEC2CapacityReservationFleetRolePolicy"),
    "capacityreservation.sagemaker.amazonaws.com": (
        "AWSServiceRoleForSageMakerCapacityReservation", "AmazonSageMakerCapacityReservationServiceRolePolicy"),
    "cleanrooms.amazonaws.com": ("AWSServiceRoleForAWSCleanRooms", "AWSCleanRoomsServiceRolePolicy"),
    "contacts-service.managedservices.amazonaws.com": (
        "AWSServiceRoleForManagedServices_Contacts", "AWSManagedServices_ContactsServiceRolePolicy"),
    "context.cloudtrail.amazonaws.com": ("AWSServiceRoleForCloudTrailEventContext", "CloudTrailEventContext"),
    "contract.iq.amazonaws.com": ("AWSServiceRoleForAWSIQContract", "AWSIQContractServiceRolePolicy"),
    "controltower.amazonaws.com": ("AWSServiceRoleForAWSControlTower", "AWSControlTowerAccountServiceRolePolicy"),
    "dashboard.eks.amazonaws.com": ("AWSServiceRoleForAmazonEKSDashboard", "AmazonEKSDashboardServiceRolePolicy"),
    "deployment.marketplace.amazonaws.com": (
        "AWSServiceRoleForMarketplaceDeployment", "AWSMarketplaceDeploymentServiceRolePolicy"),
    "deploymenttoolkit.managedservices.amazonaws.com": (
        "AWSServiceRoleForAWSManagedServicesDeploymentToolkit", "AWSManagedServicesDeploymentToolkitPolicy"),
    "detectivecontrols.managedservices.amazonaws.com": (
        "AWSServiceRoleForManagedServices_DetectiveControlsConfig",
        "AWSManagedServices_DetectiveControlsConfig_ServiceRolePolicy"),
    "discovery-datasync.amazonaws.com": ("AWSServiceRoleForDataSyncDiscovery", "AWSDataSyncDiscoveryServiceRolePolicy"),
    "ds.amazonaws.com": ("AWSServiceRoleForDirectoryService", "AWSDirectoryServiceServiceRolePolicy"),
    "ec2.capacitymanager.amazonaws.com": (
        "AWSServiceRoleForEC2CapacityManager", "AWSEC2CapacityManagerServiceRolePolicy"),
    "ec2sqlha.amazonaws.com": ("AWSServiceRoleForEC2SqlHa", "AWSEC2SqlHaServiceRolePolicy"),
    "ecs-compute.amazonaws.com": ("AWSServiceRoleForECSCompute", "AmazonECSComputeServiceRolePolicy"),
    "event-processor.health.amazonaws.com": (
        "AWSServiceRoleForHealth_EventProcessor", "AWSHealth_EventProcessorServiceRolePolicy"),
    "events.managedservices.amazonaws.com": (
        "AWSServiceRoleForManagedServices_Events", "AWSManagedServices_EventsServiceRolePolicy"),
    "evs.amazonaws.com": ("AWSServiceRoleForAmazonEVS", "AmazonEVSServiceRolePolicy"),
    "finspace.amazonaws.com": ("AWSServiceRoleForFinSpace", "AWSFinSpaceServiceRolePolicy"),
    "hyperpod.sagemaker.amazonaws.com": (
        "AWSServiceRoleForSageMakerHyperPod", "AmazonSageMakerHyperPodServiceRolePolicy"),
    "identity-network.bedrock-agentcore.amazonaws.com": (
        "AWSServiceRoleForBedrockAgentCoreIdentity", "AWSBedrockAgentCoreIdentityNetworkServiceRolePolicy"),
    "inference.sagemaker.amazonaws.com": (
        "AWSServiceRoleForSageMakerInference", "AmazonSageMakerInferenceServiceRolePolicy"),
    "license-management.dataexchange.amazonaws.com": (
        "AWSServiceRoleForAWSDataExchangeLicenseManagement", "AWSDataExchangeServiceRolePolicyForLicenseManagement"),
    "license-manager.master-account.amazonaws.com": (
        "AWSServiceRoleForAWSLicenseManagerMasterAccountRole", "AWSLicenseManagerMasterAccountRolePolicy"),
    "logs-centralization.observabilityadmin.amazonaws.com": (
        "AWSServiceRoleForObservabilityAdmin_LogsCentralization",
        "AWSObservabilityAdminLogsCentralizationServiceRolePolicy"),
    "mediaconnect.amazonaws.com": ("AWSServiceRoleForMediaConnect", "AWSMediaConnectServicePolicy"),
    "medical-imaging.amazonaws.com": ("AWSServiceRoleForHealthImaging", "AWSHealthImagingServiceRolePolicy"),
    "monitron.amazonaws.com": ("AWSServiceRoleForMonitron", "AWSServiceRoleForMonitronPolicy"),
    "networkmonitor.amazonaws.com": ("AWSServiceRoleForNetworkMonitor", "CloudWatchNetworkMonitorServiceRolePolicy"),
    "odb.amazonaws.com": ("AWSServiceRoleForODB", "AmazonODBServiceRolePolicy"),
    "omics.amazonaws.com": ("AWSServiceRoleForHealthOmics", "AWSHealthOmicsServiceLinkedRolePolicy"),
    "organization-discovery.dataexchange.amazonaws.com": (
        "AWSServiceRoleForAWSDataExchangeOrganizationDiscovery",
        "AWSDataExchangeServiceRolePolicyForOrganizationDiscovery"),
    "outposts.amazonaws.com": ("AWSServiceRoleForOutposts", "AWSOutpostsServiceRolePolicy"),
    "permission.iq.amazonaws.com": ("AWSServiceRoleForAWSIQPermission", "AWSIQPermissionServiceRolePolicy"),
    "pi-db.metrics.cloudwatch.amazonaws.com": (
        "AWSServiceRoleForCloudWatchMetrics_DbPerfInsights",
        "AWSServiceRoleForCloudWatchMetrics_DbPerfInsightsServiceRolePolicy"),
    "practice-run.arc-zonal-shift.amazonaws.com": (
        "AWSServiceRoleForZonalAutoshiftPracticeRun", "AWSZonalAutoshiftPracticeRunSLRPolicy"),
    "purchase-orders.marketplace.amazonaws.com": (
        "AWSServiceRoleForMarketplacePurchaseOrders", "AWSMarketplacePurchaseOrdersServiceRolePolicy"),
    "qapps.amazonaws.com": ("AWSServiceRoleForAmazonQApps", "QAppsServiceRolePolicy"),
    "repostspace.amazonaws.com": ("AWSServiceRoleForrePostPrivate", "AWSrePostPrivateCloudWatchAccess"),
    "role-manager.iam.amazonaws.com": ("AWSServiceRoleForIAMRoleManager", "AWSIAMRoleManagerServiceRolePolicy"),
    "sagemaker-queuing.batch.amazonaws.com": (
        "AWSServiceRoleForAWSBatchWithSagemaker", "AWSBatchServiceRolePolicyForSageMaker"),
    "selfservicereporting.managedservices.amazonaws.com": (
        "AWSServiceRoleForManagedServices_SelfServiceReporting",
        "AWSManagedServices_SelfServiceReporting_ServiceRolePolicy"),
    "service-sync.proton.amazonaws.com": (
        "AWSServiceRoleForProtonServiceSync", "AWSProtonServiceGitSyncServiceRolePolicy"),
    "social-messaging.amazonaws.com": ("AWSServiceRoleForSocialMessaging", "AWSSocialMessagingServiceRolePolicy"),
    "synchronization.connect.amazonaws.com": (
        "AWSServiceRoleForAmazonConnectSynchronization", "AmazonConnectSynchronizationServiceRolePolicy"),
    "telemetry-enablement.observabilityadmin.amazonaws.com": (
        "AWSServiceRoleForObservabilityAdmin_TelemetryEnablement",
        "AWSObservabilityAdminTelemetryEnablementServiceRolePolicy"),
    "testgrid.devicefarm.amazonaws.com": (
        "AWSServiceRoleForDeviceFarmTestGrid", "AWSDeviceFarmTestGridServiceRolePolicy"),
    "thirdparty.inspector2.amazonaws.com": (
        "AWSServiceRoleForAmazonInspector2ThirdParty", "AmazonInspector2ThirdPartyServiceRolePolicy"),
    "transform.amazonaws.com": ("AWSServiceRoleForAWSTransform", "AWSServiceRoleForAWSTransform"),
    "budgets.amazonaws.com": ("AWSServiceRoleForBudgets", "BudgetsServiceRolePolicy"),
    "ssm.alarms.cloudwatch.amazonaws.com": ("AWSServiceRoleForCloudWatchAlarms_ActionSSM",
                                            "AWSServiceRoleForCloudWatchAlarmsActionSSMServiceRolePolicy"),
    "changemanagement.ssm.amazonaws.com": ("AWSServiceRoleForSystemsManagerChangeManagement",
                                           "AWSSystemsManagerChangeManagementServicePolicy"),
    "networkflowmonitor.amazonaws.com": ("AWSServiceRoleForNetworkFlowMonitor",
                                         "CloudWatchNetworkFlowMonitorServiceRolePolicy"),
    "topology.networkflowmonitor.amazonaws.com": ("AWSServiceRoleForNetworkFlowMonitor_Topology",
                                                  "CloudWatchNetworkFlowMonitorTopologyServiceRolePolicy"),
    "mediapackage.amazonaws.com": ("AWSServiceRoleForMediaPackage", "MediaPackageServiceRolePolicy"),
    "sync.servicecatalog.amazonaws.com": ("AWSServiceRoleForServiceCatalogSync",
                                          "AWSServiceCatalogSyncServiceRolePolicy"),
    "codebuild.proton.amazonaws.com": ("AWSServiceRoleForProtonCodeBuildProvisioning",
                                       "AWSProtonCodeBuildProvisioningServiceRolePolicy"),
    "kinesisreplication.dynamodb.amazonaws.com": ("AWSServiceRoleForDynamoDBKinesisDataStreamsReplication",
                                                  "DynamoDBKinesisReplicationServiceRolePolicy"),
    "dmsintegration.migrationhub.amazonaws.com": ("AWSServiceRoleForMigrationHubDMSAccess",
                                                  "MigrationHubDMSAccessServiceRolePolicy"),
    "observabilityadmin.amazonaws.com": ("AWSServiceRoleForObservabilityAdmin",
                                         "AWSObservabilityAdminServiceRolePolicy"),
    "ec2-nat-gateway.amazonaws.com": ("AWSServiceRoleForNATGateway", "AWSNATGatewayServiceRolePolicy"),
    "network-security-manager.amazonaws.com": (
        "AWSServiceRoleForNetworkSecurityManager", "NetworkSecurityManagerServiceRolePolicy"),
    "resiliencehub.amazonaws.com": ("AWSServiceRoleForResilienceHub", "AWSResilienceHubServiceRolePolicy"),
    "resale-authorization.marketplace.amazonaws.com": (
        "AWSServiceRoleForMarketplaceResaleAuthorization", "AWSMarketplaceResaleAuthorizationServiceRolePolicy"),
    "nova-act.amazonaws.com": ("AWSServiceRoleForNovaAct", "NovaActServiceRolePolicy"),
    "rtbfabric.amazonaws.com": ("AWSServiceRoleForRTBFabric", "RTBFabricServiceRolePolicy"),
    "aidevops.amazonaws.com": ("AWSServiceRoleForAIDevOps", "AWSServiceRoleForAIDevOpsPolicy"),
    "workspaces-instances.amazonaws.com": (
        "AWSServiceRoleForWorkSpacesInstances", "AWSServiceRolePolicyForWorkspacesInstances"),
    "vpc-flow-logs.amazonaws.com": ("AWSServiceRoleForVPCFlowLogs", "AWSVPCFlowLogsServiceRolePolicy"),
    "self-managed-vpce.osis.amazonaws.com": (
        "AWSServiceRoleForOpensearchIngestionSelfManagedVpce", "OpensearchIngestionSelfManagedVpcePolicy"),
    "sms-voice.amazonaws.com": ("AWSServiceRoleForSMSVoice", "SMSVoiceServiceRolePolicy"),
    "wellarchitected.amazonaws.com": (
        "AWSServiceRoleForWellArchitected", "AWSWellArchitectedOrganizationsServiceRolePolicy"),
    "smsintegration.migrationhub.amazonaws.com": (
        "AWSServiceRoleForMigrationHubSMSAccess", "MigrationHubSMSAccessServiceRolePolicy"),
}

# Roles not confirmed from a public source but the most plausible reading of the evidence there is (the policy's
# name and grants, the service's principal, sibling roles' names): docs/behaviour.md lists them as inferred.
INFERRED: dict[str, tuple[str, str]] = {
    "ssm-incidents.alarms.cloudwatch.amazonaws.com": ("AWSServiceRoleForCloudWatchAlarms_ActionSSMIncidents",
                                                      "AWSCloudWatchAlarms_ActionSSMIncidentsServiceRolePolicy"),
    "declarative-policies.ec2.amazonaws.com": ("AWSServiceRoleForDeclarativePoliciesEC2Report",
                                               "DeclarativePoliciesEC2Report"),
    "network-security-director.amazonaws.com": ("AWSServiceRoleForNetworkSecurityDirector",
                                                "NetworkSecurityDirectorServiceLinkedRolePolicy"),
    "procurement-insights.marketplace.amazonaws.com": ("AWSServiceRoleForProcurementInsights",
                                                       "AWSServiceRoleForProcurementInsightsPolicy"),
    "appmesh-preview.amazonaws.com": ("AWSServiceRoleForAppMeshPreview", "AWSAppMeshPreviewServiceRolePolicy"),
    "billing-cost-management.amazonaws.com": ("AWSServiceRoleForSplitCostAllocationData",
                                              "SplitCostAllocationDataServiceRolePolicy"),
}

# Services documenting CustomSuffix (the Auto Scaling, Amazon Connect and Lex V2 service-linked-role pages) or
# documenting role names with a suffix (Lex V2 channels, Connect synchronization, Outposts, Monitron); every other
# one answers "Custom suffix is not allowed for <principal>".
SUFFIX_ALLOWED = frozenset({"autoscaling.amazonaws.com", "connect.amazonaws.com", "lexv2.amazonaws.com",
                            "channels.lexv2.amazonaws.com", "synchronization.connect.amazonaws.com",
                            "outposts.amazonaws.com", "monitron.amazonaws.com"})

# Principals that a managed policy grants iam:CreateServiceLinkedRole for but that are not the trust principal of
# the role named (real accounts show AWSServiceRoleForRedshift under redshift.amazonaws.com only).
EXCLUDED = frozenset({"redshift-data.amazonaws.com"})

# Descriptions the services give their role when the request has none, as recorded verbatim from real accounts
# (99designs/iamy#49 for ECS; the Auto Scaling User Guide; public `get-account-authorization-details`, cloudfox,
# terraformer and former2 exports of accounts for the others, trailing spaces included).  Others: none known, so
# none is given (real accounts show App Runner's two roles, CloudTrail's, Config's, Backup's and many more without
# one).  Where accounts differ (a role created with the CLI has none), the service's own text is used.
DESCRIPTIONS = {
    "ecs.amazonaws.com": "Allows ECS to create and manage AWS resources on your behalf.",
    "autoscaling.amazonaws.com": "Default Service-Linked Role enables access to AWS Services and Resources used or "
                                 "managed by Auto Scaling",
    "ecs-compute.amazonaws.com": "Policy to enable Amazon ECS Compute to manage your EC2 instances and related "
                                 "resources as part of ECS managed instance.",
    "controltower.amazonaws.com": "Provides access to AWS Resources managed or used by AWS Control Tower",
    "clientvpn-connections.amazonaws.com": "Service Linked Role for Client VPN connections",
    "clientvpn.amazonaws.com": "Service Linked Role for Client VPN",
    "codestar-notifications.amazonaws.com": "Allows AWS CodeStar Notifications to access Amazon CloudWatch Events on "
                                            "your behalf",
    "compute-optimizer.amazonaws.com": "Allows ComputeOptimizer to call AWS services and collect workload details on "
                                       "your behalf.",
    "eks.amazonaws.com": "Allows Amazon EKS to call AWS services on your behalf.",
    "eks-nodegroup.amazonaws.com": "This policy allows Amazon EKS to create and manage Nodegroups",
    "elasticache.amazonaws.com": "This policy allows ElastiCache to manage AWS resources on your behalf as necessary "
                                 "for managing your cache.",
    "elasticloadbalancing.amazonaws.com": "Allows ELB to call AWS services on your behalf.",
    "globalaccelerator.amazonaws.com": "Allows Global Accelerator to call AWS services on customer's behalf",
    "management.chatbot.amazonaws.com": "The Service Linked Role used by AWS Chatbot.",
    "organizations.amazonaws.com": "Service-linked role used by AWS Organizations to enable integration of other AWS "
                                   "services with Organizations.",
    "redshift.amazonaws.com": "Allows Amazon Redshift to call AWS services on your behalf ",
    "servicequotas.amazonaws.com": "A service-linked role is required for Service Quotas to access your service "
                                   "limits.",
    "sso.amazonaws.com": "Service-linked role used by AWS SSO to manage AWS resources, including IAM roles, policies "
                         "and SAML IdP on your behalf.",
    "support.amazonaws.com": "Enables resource access for AWS to provide billing, administrative and support services",
    "member.org.stacksets.cloudformation.amazonaws.com": "Service linked role for CloudFormation StackSets "
                                                         "(Organization Member)",
    "ops.apigateway.amazonaws.com": "The Service Linked Role is used by Amazon API Gateway.",
    "trustedadvisor.amazonaws.com": "Access for the AWS Trusted Advisor Service to help reduce cost, increase "
                                    "performance, and improve security of your AWS environment.",
    "rds.amazonaws.com": "Allows Amazon RDS to manage AWS resources on your behalf",
    "guardduty.amazonaws.com": "A service-linked role required for Amazon GuardDuty to access your resources. ",
    "ssm.amazonaws.com": "Provides access to AWS Resources managed or used by Amazon SSM.",
    "fis.amazonaws.com": "Role to enable AWS FIS to manage monitoring and resource selection for experiments.",
    "mq.amazonaws.com": "Allows Amazon MQ to call AWS services on your behalf",
    "cloudwatch-crossaccount.amazonaws.com": "Allows CloudWatch to assume CloudWatch-CrossAccountSharing roles in "
                                             "remote accounts on behalf of the current account in order to display "
                                             "data cross-account, cross region",
    "dms.amazonaws.com": "Service Linked Role created for AWS DMS Serverless to perform DMS actions on your behalf.",
    "license-manager-user-subscriptions.amazonaws.com": "Service linked role for License Manager user-based "
                                                        "subscriptions.",
    "malware-protection.guardduty.amazonaws.com": "A service-linked role required for Amazon GuardDuty Malware Scan "
                                                  "to access your resources. ",
    "ssm-quicksetup.amazonaws.com": "Provides access to check Quick Setup configuration health, ensure consistent "
                                    "use of parameters and provisioned resources, and remediate resources when drift "
                                    "is detected.",
    "stacksets.cloudformation.amazonaws.com": "Service linked role for CloudFormation StackSets (Organization Admin)",
    "eks-fargate.amazonaws.com": "This policy grants necessary permissions to Amazon EKS to run fargate tasks",
    "spot.amazonaws.com": "Default EC2 Spot Service Linked Role",
    "securityhub.amazonaws.com": "A service-linked role required for AWS Security Hub to access your resources.",
    "elasticmapreduce.amazonaws.com": "Allows EMR to terminate instances and delete resources from EC2 on your behalf.",
    "spotfleet.amazonaws.com": "Default EC2 Spot Fleet Service Linked Role",
    "mrk.kms.amazonaws.com": "Enables access to AWS services and resources required for AWS KMS Multi-Region Keys",
    "connect-campaigns.amazonaws.com": "Enables access to AWS Services and Resources used or managed by Amazon "
                                       "Connect Campaigns.",
    "inspector2.amazonaws.com": "Allowing Inspector to call AWS services on behalf of customers",
    "accountdiscovery.ssm.amazonaws.com": "Grants AWS Systems Manager (SSM) permission to discover AWS account "
                                          "information",
    "opsdatasync.ssm.amazonaws.com": "Provides access to AWS Resources managed or used by Amazon SSM Explorer.",
    "elasticbeanstalk.amazonaws.com": "Allows Elastic Beanstalk to call AWS services (like AutoScaling and EC2) to "
                                      "create and manage resources on your behalf.",
    "sagemaker.amazonaws.com": "AWS SageMaker Notebooks Service Linked Role",
    "acm.amazonaws.com": "SLR for ACM Service for accessing cross-account Private CA",
    "schemas.amazonaws.com": "Enables access to the Managed Rules created by AWS Schemas.",
    "mgn.amazonaws.com": "Access role for the mgn.amazonaws.com",
    "application-signals.cloudwatch.amazonaws.com": "CloudWatch ApplicationSignals creates Service Linked Role to "
                                                    "collect signals from other relevant AWS services.",
    "devops-guru.amazonaws.com": "AWS service role used to execute actions on your behalf.",
    "ec2-instance-connect.amazonaws.com": "The Service Linked Role used by EC2 Instance Connect Endpoint.",
    "ipam.amazonaws.com": "The Service Linked Role used by AWS IPAM.",
    "internetmonitor.amazonaws.com": "A service-linked role required for CloudWatch Internet Monitor to access your "
                                     "resources.",
    "vpc-lattice.amazonaws.com": "Allows Mercury to call AWS services on behalf of customers",
    "dax.amazonaws.com": "This policy allows DAX to manage AWS resources on your behalf as necessary for managing "
                         "your cache.",
    "cost-optimization-hub.bcm.amazonaws.com": "Allows Cost Optimization Hub to retrieve organization information and "
                                               "collect optimization-related data and metadata.",
    "profile.amazonaws.com": "Allows Amazon Connect Customer Profiles to access AWS services and resources on your "
                             "behalf.",
    "storage-lens.s3.amazonaws.com": "Service Linked Role for S3 Storage Lens",
}


def read_policies() -> tuple[dict[str, str], list[str]]:
    """(name -> path of every AWS managed policy, every default document)."""
    text = gzip.decompress(POLICIES.read_bytes()).decode("utf-8")
    header, _, body = text.partition("\n")
    return {row[0]: row[1] for row in json.loads(header)}, body.split("\n")


def attached_policy(role: str, service_role_policies: set[str]) -> str | None:
    stem = role[len(PREFIX):]
    if stem.startswith("ApplicationAutoScaling_"):
        candidates = [f"AWSApplicationAutoscaling{stem.split('_', 1)[1]}Policy"]
    else:
        candidates = [role, *(f"{prefix}{stem}{suffix}" for prefix in ("", "AWS", "Amazon")
                              for suffix in ("ServiceRolePolicy", "ServiceLinkedRolePolicy", "RolePolicy",
                                             "ServicePolicy", "Policy"))]
    return next((name for name in candidates if name in service_role_policies), None)


def main(argv: list[str]) -> int:
    argparse.ArgumentParser(description=f"Write {OUT.relative_to(ROOT)} from the AWS managed policies in "
                                        f"{POLICIES.relative_to(ROOT)} and the tables in this script.").parse_args(argv)
    paths, documents = read_policies()
    service_role_policies = {name for name, path in paths.items() if path == "/aws-service-role/"}
    found: dict[str, set[str]] = {}
    for document in documents:
        for principal, role in SLR_ARN.findall(document):
            found.setdefault(principal, set()).add(role)
    known = {**CURATED, **DOCUMENTED, **INFERRED}
    table, skipped = {}, []
    for principal in sorted((set(found) | set(known)) - EXCLUDED):
        if principal in known:
            role, policy = known[principal]
        else:
            role = min(found[principal], key=len)
            policy = attached_policy(role, service_role_policies)
        if policy is None or policy not in paths:
            skipped.append(f"{principal} ({role})")
            continue
        entry = {"RoleName": role, "Policy": f"arn:aws:iam::aws:policy{paths[policy]}{policy}",
                 "CustomSuffix": principal in SUFFIX_ALLOWED}
        if principal in DESCRIPTIONS:
            entry["Description"] = DESCRIPTIONS[principal]
        if principal in INFERRED:
            entry["Inferred"] = True
        table[principal] = entry
    OUT.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(table)} service-linked roles -> {OUT}; left out (no attached policy found): {len(skipped)}")
    for line in skipped:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
