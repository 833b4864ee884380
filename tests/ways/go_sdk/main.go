// Command go_sdk calls operations of App Runner, IAM, STS and ECR through the AWS SDK for Go v2, for
// tests/ways/test_go_sdk_every_operation.py, speaking the line protocol of package sweepio (go_sdk_sweepio).
//
// A call's failure is {"ok": false, "code", "message", "fault", "status", "requestId", "errorType", "modeled",
// "members"}: the service's code and message as smithy.APIError gives them, the concrete error type (modeled
// when it is one of the service's types) and its members. Every call is signed by the SDK's SigV4 signer with
// the caller's static credentials and sent once (no retries) to the endpoint.
package main

import (
	"errors"
	"reflect"
	"strings"

	"mockrunner-sweepio"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apprunner"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithymiddleware "github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// constructors builds each service's client from a configuration.
var constructors = map[string]func(aws.Config) interface{}{
	"apprunner": func(c aws.Config) interface{} { return apprunner.NewFromConfig(c) },
	"ecr":       func(c aws.Config) interface{} { return ecr.NewFromConfig(c) },
	"iam":       func(c aws.Config) interface{} { return iam.NewFromConfig(c) },
	"sts":       func(c aws.Config) interface{} { return sts.NewFromConfig(c) },
}

func main() {
	driver := sweepio.Driver{Describe: describe, NewClient: newClient, Call: call}
	driver.Serve("go_sdk")
}

// newClient is the service's client for the endpoint and the caller's keys.
func newClient(service, endpoint string, keys sweepio.Caller) interface{} {
	resolver := aws.EndpointResolverWithOptionsFunc(
		func(service, region string, options ...interface{}) (aws.Endpoint, error) {
			return aws.Endpoint{URL: endpoint, HostnameImmutable: true, SigningRegion: "us-east-1",
				Source: aws.EndpointSourceCustom}, nil
		})
	config := aws.Config{
		Region:                      "us-east-1",
		Credentials:                 credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, ""),
		EndpointResolverWithOptions: resolver,
		Retryer:                     func() aws.Retryer { return aws.NopRetryer{} },
	}
	return constructors[service](config)
}

// describe lists every service's operations with the members of their input and output structs.
func describe() map[string]map[string]interface{} {
	described := map[string]map[string]interface{}{}
	for service, construct := range constructors {
		operations := map[string]interface{}{}
		value := reflect.ValueOf(construct(aws.Config{Region: "us-east-1"}))
		for index := 0; index < value.NumMethod(); index++ {
			method := value.Type().Method(index)
			kind := method.Type // the receiver is the first argument
			if kind.NumIn() < 3 || kind.In(1) != sweepio.ContextType || kind.NumOut() != 2 ||
				kind.Out(1) != sweepio.ErrorType {
				continue
			}
			operations[method.Name] = map[string]interface{}{
				"input": sweepio.Tree(kind.In(2), 0), "output": sweepio.Tree(kind.Out(0), 0)}
		}
		described[service] = operations
	}
	return described
}

// call runs one operation and describes its outcome.
func call(client interface{}, req sweepio.Request) map[string]interface{} {
	method := reflect.ValueOf(client).MethodByName(req.Operation)
	if !method.IsValid() {
		return map[string]interface{}{"ok": false, "code": "NoSuchOperation", "message": req.Operation}
	}
	input := reflect.New(method.Type().In(1).Elem())
	if err := sweepio.Fill(input.Elem(), req.Input, req.Operation+"Input"); err != nil {
		return map[string]interface{}{"ok": false, "code": "UnknownMember", "message": err.Error()}
	}
	results := method.Call([]reflect.Value{sweepio.ContextArg, input})
	if err, _ := results[1].Interface().(error); err != nil {
		return failure(err)
	}
	output := results[0].Elem()
	metadata := output.FieldByName("ResultMetadata").Interface().(smithymiddleware.Metadata)
	requestID, _ := awsmiddleware.GetRequestIDMetadata(metadata)
	status := 0
	if raw, ok := awsmiddleware.GetRawResponse(metadata).(*smithyhttp.Response); ok {
		status = raw.StatusCode
	}
	return map[string]interface{}{"ok": true, "output": sweepio.Dump(output), "status": status, "requestId": requestID}
}

// failure describes an operation's error: the service's code and message as smithy.APIError gives them, the
// HTTP status and request id, and the concrete error type (modeled when it is one of the service's types).
func failure(err error) map[string]interface{} {
	outcome := map[string]interface{}{"ok": false, "code": "", "message": err.Error(), "modeled": false}
	var response *awshttp.ResponseError
	if errors.As(err, &response) {
		outcome["status"] = response.HTTPStatusCode()
		outcome["requestId"] = response.ServiceRequestID()
	}
	var deserialization *smithy.DeserializationError
	if errors.As(err, &deserialization) {
		outcome["code"] = "DeserializationError"
		return outcome
	}
	var invalid smithy.InvalidParamsError
	if errors.As(err, &invalid) {
		outcome["code"] = "InvalidParams" // refused by the SDK's own validation, never sent
		return outcome
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		outcome["code"] = "NoAPIError"
		return outcome
	}
	outcome["code"], outcome["message"] = api.ErrorCode(), api.ErrorMessage()
	outcome["fault"] = map[smithy.ErrorFault]string{
		smithy.FaultClient: "client", smithy.FaultServer: "server"}[api.ErrorFault()]
	concrete := reflect.TypeOf(api).Elem()
	outcome["errorType"] = concrete.Name()
	outcome["modeled"] = strings.HasSuffix(concrete.PkgPath(), "/types")
	members := sweepio.Dump(reflect.ValueOf(api).Elem())
	if fields, ok := members.(map[string]interface{}); ok {
		delete(fields, "Message")
		outcome["members"] = fields
	}
	return outcome
}
