<?php
/*
 * Drives AsyncAws (async-aws/core: its STS client, SigV4 signer, error factories and credential providers) against
 * mockrunner.  Usage: php driver.php ENDPOINT; one JSON request on stdin, one JSON answer on stdout.
 *
 * Requests:
 *   {"operation": STS operation, "input": {...}, "caller": CALLER}        an StsClient call
 *   {"signed": "iam"|"apprunner", "operation": name, "input": {...}, "caller": CALLER}
 *                                                                          a request of another service signed by
 *                                                                          AsyncAws's SignerV4 (an AbstractApi)
 *   {"provider": "ConfigurationProvider"|"DefaultChain", "caller": CALLER, "config": {...}}
 *                                                                          GetCallerIdentity with the provider's
 *                                                                          credentials
 *   {"presign": "GetCallerIdentity", "caller": CALLER, "expiresIn": seconds}
 *                                                                          StsClient's presigned URL: {"url"}
 * CALLER: {"accessKeyId", "secretAccessKey", "sessionToken"?}; null: the account root's keys (test/test); false: no
 * credentials (unsigned requests).
 *
 * Answers: {"ok": true, "status", "requestId", "output"} with AWS's member names (timestamps as {"$date": ms}), or
 * {"ok": false, "status", "requestId", "code", "message", "errorClass"}.
 *
 * Every HTTP request goes through LoopbackOnly: AsyncAws's own STS endpoints (the providers' internal clients know no
 * custom endpoint) are sent to ENDPOINT and anything else that is not loopback is refused.
 */

declare(strict_types=1);

require_once 'AsyncAws/Core/autoload.php';

use AsyncAws\Core\AbstractApi;
use AsyncAws\Core\AwsError\AwsErrorFactoryInterface;
use AsyncAws\Core\AwsError\ChainAwsErrorFactory;
use AsyncAws\Core\Configuration;
use AsyncAws\Core\Credentials\CacheProvider;
use AsyncAws\Core\Credentials\ChainProvider;
use AsyncAws\Core\Credentials\ConfigurationProvider;
use AsyncAws\Core\Credentials\CredentialProvider;
use AsyncAws\Core\Credentials\NullProvider;
use AsyncAws\Core\Exception\Http\HttpException;
use AsyncAws\Core\Request;
use AsyncAws\Core\RequestContext;
use AsyncAws\Core\Response;
use AsyncAws\Core\Result;
use AsyncAws\Core\Stream\StreamFactory;
use AsyncAws\Core\Sts\Input\GetCallerIdentityRequest;
use AsyncAws\Core\Sts\StsClient;
use Psr\Log\AbstractLogger;
use Symfony\Component\HttpClient\DecoratorTrait;
use Symfony\Component\HttpClient\Exception\TransportException;
use Symfony\Component\HttpClient\HttpClient;
use Symfony\Contracts\HttpClient\HttpClientInterface;
use Symfony\Contracts\HttpClient\ResponseInterface;

const REGION = 'us-east-1';

/** Sends AWS's STS endpoints to the loopback server; refuses every other address that is not loopback. */
final class LoopbackOnly implements HttpClientInterface
{
    use DecoratorTrait;

    private $endpoint;

    public function __construct(string $endpoint)
    {
        $this->endpoint = rtrim($endpoint, '/');
        $this->client = HttpClient::create(['timeout' => 20, 'max_duration' => 30]);
    }

    public function request(string $method, string $url, array $options = []): ResponseInterface
    {
        $parts = parse_url($url);
        $host = $parts['host'] ?? '';
        if (preg_match('/^sts(\.[a-z0-9-]+)?\.amazonaws\.com$/', $host)) {
            $url = $this->endpoint . ($parts['path'] ?? '/') . (isset($parts['query']) ? '?' . $parts['query'] : '');
        } elseif (!in_array($host, ['127.0.0.1', 'localhost', '[::1]', '::1'], true)) {
            throw new TransportException("refused: $url is not the loopback server");
        }

        return $this->client->request($method, $url, $options);
    }
}

/** Keeps what the credential providers log (they log, and return no credentials, when a role cannot be assumed). */
final class Recorder extends AbstractLogger
{
    public $entries = [];

    public function log($level, $message, array $context = []): void
    {
        $exception = $context['exception'] ?? null;
        $entry = ['level' => $level, 'message' => (string) $message];
        if ($exception instanceof HttpException) {
            $entry += ['code' => $exception->getAwsCode(), 'awsMessage' => $exception->getAwsMessage()];
        }
        if ($exception instanceof \Throwable) {
            $entry += ['errorClass' => get_class($exception), 'exception' => $exception->getMessage()];
        }
        $this->entries[] = $entry;
    }
}

/** A client of one more AWS service, made of AsyncAws's AbstractApi: its endpoint, SigV4 signer and errors. */
final class SignedService extends AbstractApi
{
    private $service;

    public function __construct(string $service, array $configuration, CredentialProvider $credentials, HttpClientInterface $http)
    {
        $this->service = $service;
        parent::__construct($configuration, $credentials, $http);
    }

    public function send(Request $request, string $operation): Response
    {
        return $this->getResponse($request, new RequestContext(['operation' => $operation]));
    }

    protected function getAwsErrorFactory(): AwsErrorFactoryInterface
    {
        return new ChainAwsErrorFactory();
    }

    protected function getEndpointMetadata(?string $region): array
    {
        $region = $region ?? REGION;

        return ['endpoint' => "https://{$this->service}.$region.amazonaws.com", 'signRegion' => $region,
                'signService' => $this->service, 'signVersions' => ['v4']];
    }
}

/** A query request (IAM: form body) or a JSON 1.0 request (App Runner: X-Amz-Target). */
function service_request(string $service, string $operation, array $input): Request
{
    if ('iam' === $service) {
        $body = http_build_query(['Action' => $operation, 'Version' => '2010-05-08'] + $input, '', '&', \PHP_QUERY_RFC1738);

        return new Request('POST', '/', [], ['content-type' => 'application/x-www-form-urlencoded'], StreamFactory::create($body));
    }
    $headers = ['content-type' => 'application/x-amz-json-1.0', 'x-amz-target' => "AppRunner.$operation"];

    return new Request('POST', '/', [], $headers, StreamFactory::create(json_encode((object) $input)));
}

/** @param array|false|null $caller */
function configuration(string $endpoint, $caller, array $extra = []): array
{
    $caller = $caller ?? ['accessKeyId' => 'test', 'secretAccessKey' => 'test'];
    $keys = false === $caller ? [] : ['accessKeyId' => $caller['accessKeyId'],
        'accessKeySecret' => $caller['secretAccessKey'], 'sessionToken' => $caller['sessionToken'] ?? null];

    return ['endpoint' => $endpoint, 'region' => REGION] + $keys + $extra;
}

/** @param array|false|null $caller */
function credentials_provider($caller, HttpClientInterface $http): CredentialProvider
{
    return false === $caller ? new NullProvider() : new ConfigurationProvider($http);
}

function date_out(?\DateTimeImmutable $date): ?array
{
    return null === $date ? null : ['$date' => (int) $date->format('Uv')];
}

function credentials_out($credentials): ?array
{
    return null === $credentials ? null : [
        'AccessKeyId' => $credentials->getAccessKeyId(), 'SecretAccessKey' => $credentials->getSecretAccessKey(),
        'SessionToken' => $credentials->getSessionToken(), 'Expiration' => date_out($credentials->getExpiration()),
    ];
}

function assumed_out($user): ?array
{
    return null === $user ? null : ['AssumedRoleId' => $user->getAssumedRoleId(), 'Arn' => $user->getArn()];
}

/** The members AWS's output has (the ones AsyncAws read as null are absent, as in botocore's output). */
function present(array $output): array
{
    return array_filter($output, static function ($value) { return null !== $value; });
}

function sts_output(string $operation, Result $result): array
{
    if ('GetCallerIdentity' === $operation) {
        return present(['UserId' => $result->getUserId(), 'Account' => $result->getAccount(), 'Arn' => $result->getArn()]);
    }
    $output = ['Credentials' => credentials_out($result->getCredentials()),
               'AssumedRoleUser' => assumed_out($result->getAssumedRoleUser()),
               'PackedPolicySize' => $result->getPackedPolicySize(), 'SourceIdentity' => $result->getSourceIdentity()];
    if ('AssumeRoleWithWebIdentity' === $operation) {
        $output += ['SubjectFromWebIdentityToken' => $result->getSubjectFromWebIdentityToken(),
                    'Provider' => $result->getProvider(), 'Audience' => $result->getAudience()];
    }

    return present($output);
}

function request_id(array $headers): ?string
{
    return ($headers['x-amzn-requestid'] ?? $headers['x-amz-request-id'] ?? [null])[0];
}

function answer(callable $call): array
{
    try {
        [$status, $headers, $output] = $call();

        return ['ok' => true, 'status' => $status, 'requestId' => request_id($headers), 'output' => $output];
    } catch (HttpException $error) {
        $response = $error->getResponse();

        return ['ok' => false, 'status' => $response->getStatusCode(), 'requestId' => request_id($response->getHeaders(false)),
                'code' => $error->getAwsCode(), 'message' => $error->getAwsMessage(), 'errorClass' => get_class($error)];
    }
}

function sts_call(string $endpoint, array $request, HttpClientInterface $http): array
{
    $caller = $request['caller'] ?? null;
    $sts = new StsClient(configuration($endpoint, $caller), credentials_provider($caller, $http), $http);
    $method = lcfirst($request['operation']);

    return answer(static function () use ($sts, $method, $request) {
        $result = $sts->{$method}($request['input']);
        $result->resolve();
        $info = $result->info()['response'];

        return [$info->getStatusCode(), $info->getHeaders(), sts_output($request['operation'], $result)];
    });
}

function signed_call(string $endpoint, array $request, HttpClientInterface $http): array
{
    $caller = $request['caller'] ?? null;
    $client = new SignedService($request['signed'], configuration($endpoint, $caller), credentials_provider($caller, $http), $http);
    $response = $client->send(service_request($request['signed'], $request['operation'], $request['input']), $request['operation']);

    return answer(static function () use ($response, $request) {
        $response->resolve();
        $content = $response->getContent();
        $output = 'iam' === $request['signed'] ? ['xml' => $content] : $response->toArray();

        return [$response->getStatusCode(), $response->getHeaders(), $output];
    });
}

/** GetCallerIdentity signed with what the provider gives; what the provider logged and the keys it gave. */
function provider_call(string $endpoint, array $request, HttpClientInterface $http): array
{
    $logger = new Recorder();
    $provider = new CacheProvider('DefaultChain' === $request['provider']
        ? ChainProvider::createDefaultChain($http, $logger) : new ConfigurationProvider($http, $logger));
    $config = configuration($endpoint, $request['caller'] ?? false, $request['config'] ?? []);
    $credentials = $provider->getCredentials(Configuration::create($config));
    $sts = new StsClient($config, $provider, $http);
    $outcome = answer(static function () use ($sts) {
        $result = $sts->getCallerIdentity();
        $result->resolve();
        $info = $result->info()['response'];

        return [$info->getStatusCode(), $info->getHeaders(), sts_output('GetCallerIdentity', $result)];
    });

    return $outcome + ['log' => $logger->entries, 'credentials' => null === $credentials ? null : [
        'accessKeyId' => $credentials->getAccessKeyId(), 'expiration' => date_out($credentials->getExpireDate())]];
}

/** A presigned GetCallerIdentity URL (what EKS-style authenticators hand to a server that checks a caller). */
function presign_call(string $endpoint, array $request, HttpClientInterface $http): array
{
    $caller = $request['caller'] ?? null;
    $sts = new StsClient(configuration($endpoint, $caller), credentials_provider($caller, $http), $http);
    $expires = (new \DateTimeImmutable())->add(new \DateInterval('PT' . $request['expiresIn'] . 'S'));

    return ['url' => $sts->presign(new GetCallerIdentityRequest(), $expires)];
}

$endpoint = $argv[1];
$request = json_decode(stream_get_contents(STDIN), true, 512, \JSON_THROW_ON_ERROR);
$http = new LoopbackOnly($endpoint);
if (isset($request['provider'])) {
    $answer = provider_call($endpoint, $request, $http);
} elseif (isset($request['presign'])) {
    $answer = presign_call($endpoint, $request, $http);
} elseif (isset($request['signed'])) {
    $answer = signed_call($endpoint, $request, $http);
} else {
    $answer = sts_call($endpoint, $request, $http);
}
echo json_encode($answer, \JSON_UNESCAPED_SLASHES | \JSON_THROW_ON_ERROR), "\n";
