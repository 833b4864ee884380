#!/usr/bin/perl
# Perl's SigV4 signers driven by JSON: run as `perl driver.pl ENDPOINT`, it reads one JSON array of requests on
# stdin, signs and sends them in order with LWP, and prints one JSON object: each request's name -> its answer.
#
# A request: {"name", "signer": "AWS::Signature4" | "Net::Amazon::Signature::V4", "host", "path",
#             "query": [[K, V]...], "form": [[K, V]...] (a POST's url-encoded body), "json" (a POST's raw body),
#             "headers": [[K, V]...] (a name twice: two header lines), "service", "region", "credentials":
#             {"accessKeyId", "secretAccessKey", "sessionToken"} or {"from": NAME} (the Credentials of an earlier
#             STS answer), "presign": SECONDS}: a POST with "form" or "json", else a GET.
# AWS::Signature4 takes the service and Region from the URL's host alone, so its requests name AWS's host
# ("iam.amazonaws.com") and LWP sends them to ENDPOINT as its HTTP proxy (an absolute-form request line);
# Net::Amazon::Signature::V4 is told the service and Region and sends to ENDPOINT itself.
# Strings are sent as UTF-8.  An answer: {"status", "contentType", "body"} (status 0: the driver failed, body
# says why).
use strict;
use warnings;
use AWS::Signature4;
use Net::Amazon::Signature::V4;
use HTTP::Request;
use HTTP::Request::Common qw(GET POST);
use JSON::PP;
use LWP::UserAgent;
use URI;

my $endpoint = shift @ARGV or die "usage: driver.pl ENDPOINT\n";
my $json = JSON::PP->new->utf8->canonical;
my $direct = LWP::UserAgent->new(timeout => 30, env_proxy => 0);
my $proxied = LWP::UserAgent->new(timeout => 30, env_proxy => 0);
$proxied->proxy(['http'], $endpoint);
my $root = {accessKeyId => 'test', secretAccessKey => 'test'};
my %answers;

sub bytes { my $text = shift; utf8::encode($text) if utf8::is_utf8($text); return $text }
sub pairs { return map { (bytes($_->[0]), bytes($_->[1])) } @{ shift || [] } }

sub credentials {
    my $given = shift || $root;
    return $given unless $given->{from};
    my ($found) = $answers{$given->{from}}{body} =~ m{<Credentials>(.*)</Credentials>}s
        or die "no credentials in $given->{from}\n";
    my %tag = map { my ($v) = $found =~ m{<$_>([^<]*)</$_>}; ($_ => $v) } qw(AccessKeyId SecretAccessKey SessionToken);
    return {accessKeyId => $tag{AccessKeyId}, secretAccessKey => $tag{SecretAccessKey},
            sessionToken => $tag{SessionToken}};
}

sub build {
    my ($call, $base) = @_;
    my $uri = URI->new($base . ($call->{path} // '/'));
    $uri->query_form(pairs($call->{query})) if $call->{query};
    my $request;
    if ($call->{form}) {
        $request = POST($uri, [pairs($call->{form})]);
    } elsif (defined $call->{json}) {
        $request = HTTP::Request->new(POST => $uri, [], bytes($call->{json}));
    } else {
        $request = GET($uri);
    }
    $request->push_header(bytes($_->[0]) => bytes($_->[1])) for @{ $call->{headers} || [] };
    return $request;
}

sub send_request {
    my $call = shift;
    my $keys = credentials($call->{credentials});
    if ($call->{signer} eq 'AWS::Signature4') {
        my $signer = AWS::Signature4->new(-access_key => $keys->{accessKeyId}, -secret_key => $keys->{secretAccessKey},
                                          (defined $keys->{sessionToken} ? (-security_token => $keys->{sessionToken}) : ()));
        my $request = build($call, "http://$call->{host}");
        if ($call->{presign}) {
            return $proxied->get($signer->signed_url($request, $call->{presign}));
        }
        $request->header('X-Amz-Security-Token' => $keys->{sessionToken}) if defined $keys->{sessionToken};
        $signer->sign($request, $call->{region});
        return $proxied->request($request);
    }
    my $signer = Net::Amazon::Signature::V4->new({access_key_id => $keys->{accessKeyId},
                                                  secret => $keys->{secretAccessKey}, endpoint => $call->{region},
                                                  service => $call->{service}, security_token => $keys->{sessionToken}});
    my $request = build($call, $endpoint);
    $signer->sign($request);
    return $direct->request($request);
}

my $calls = $json->decode(do { local $/; <STDIN> });
for my $call (@$calls) {
    my $response = eval { send_request($call) };
    $answers{$call->{name}} = $response
        ? {status => 0 + $response->code, contentType => scalar $response->header('Content-Type'),
           body => $response->decoded_content // ''}
        : {status => 0, contentType => undef, body => "driver: $@"};
}
print $json->encode(\%answers), "\n";
