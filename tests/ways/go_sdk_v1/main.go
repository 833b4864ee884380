// Command go_sdk_v1 calls operations of App Runner, IAM, STS and ECR through the legacy AWS SDK for Go v1 (its own
// query and JSON protocol marshalers), for tests/ways/test_go_sdk_v1_every_operation.py, speaking the line
// protocol of package sweepio (go_sdk_sweepio). An operation OP is the client's method OPWithContext.
//
// A call's failure is {"ok": false, "code", "message", "status", "requestId", "errorType", "modeled", "members",
// "requestFailure"}: the code, message, HTTP status and request id as awserr.RequestFailure gives them
// ("requestFailure" false, and the message the error's whole text, when the error is not one, e.g. refused by the
// SDK's own validation, never sent), the concrete error type (modeled when it is one of the service package's
// exception types) and its members. Every call is signed by the SDK's SigV4 signer with the caller's static
// credentials and sent once (no retries) to the endpoint.
package main

import (
	"errors"
	"reflect"
	"strings"

	"mockrunner-sweepio"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/client"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/apprunner"
	"github.com/aws/aws-sdk-go/service/ecr"
	"github.com/aws/aws-sdk-go/service/iam"
	"github.com/aws/aws-sdk-go/service/sts"
)

// suffix ends the name of an operation's method that takes a context.
const suffix = "WithContext"

// constructors builds each service's client from a session.
var constructors = map[string]func(client.ConfigProvider) interface{}{
	"apprunner": func(s client.ConfigProvider) interface{} { return apprunner.New(s) },
	"ecr":       func(s client.ConfigProvider) interface{} { return ecr.New(s) },
	"iam":       func(s client.ConfigProvider) interface{} { return iam.New(s) },
	"sts":       func(s client.ConfigProvider) interface{} { return sts.New(s) },
}

var optionType = reflect.TypeOf(request.Option(nil))

func main() {
	driver := sweepio.Driver{Describe: describe, NewClient: newClient, Call: call}
	driver.Serve("go_sdk_v1")
}

// newSession is a session of the configuration's keys and endpoint, never reading shared config files.
func newSession(config aws.Config) *session.Session {
	config.Region = aws.String("us-east-1")
	return session.Must(session.NewSessionWithOptions(session.Options{
		Config: config, SharedConfigState: session.SharedConfigDisable}))
}

// newClient is the service's client for the endpoint and the caller's keys.
func newClient(service, endpoint string, keys sweepio.Caller) interface{} {
	return constructors[service](newSession(aws.Config{
		Endpoint:    aws.String(endpoint),
		Credentials: credentials.NewStaticCredentials(keys.AccessKeyID, keys.SecretAccessKey, ""),
		MaxRetries:  aws.Int(0),
	}))
}

// operation is the method of OPWithContext(ctx, *Input, ...request.Option) (*Output, error), if value has it.
func operation(value reflect.Value, name string) (reflect.Value, bool) {
	method := value.MethodByName(name + suffix)
	if !method.IsValid() {
		return method, false
	}
	kind := method.Type()
	return method, kind.NumIn() == 3 && kind.IsVariadic() && kind.In(0) == sweepio.ContextType &&
		kind.In(2).Elem() == optionType && kind.NumOut() == 2 && kind.Out(1) == sweepio.ErrorType
}

// describe lists every service's operations with the members of their input and output structs.
func describe() map[string]map[string]interface{} {
	described := map[string]map[string]interface{}{}
	session := newSession(aws.Config{Credentials: credentials.AnonymousCredentials})
	for service, construct := range constructors {
		operations := map[string]interface{}{}
		value := reflect.ValueOf(construct(session))
		for index := 0; index < value.NumMethod(); index++ {
			name := strings.TrimSuffix(value.Type().Method(index).Name, suffix)
			if method, ok := operation(value, name); ok && name+suffix == value.Type().Method(index).Name {
				kind := method.Type()
				operations[name] = map[string]interface{}{
					"input": sweepio.Tree(kind.In(1), 0), "output": sweepio.Tree(kind.Out(0), 0)}
			}
		}
		described[service] = operations
	}
	return described
}

// call runs one operation and describes its outcome.
func call(client interface{}, req sweepio.Request) map[string]interface{} {
	method, ok := operation(reflect.ValueOf(client), req.Operation)
	if !ok {
		return map[string]interface{}{"ok": false, "code": "NoSuchOperation", "message": req.Operation}
	}
	input := reflect.New(method.Type().In(1).Elem())
	if err := sweepio.Fill(input.Elem(), req.Input, req.Operation+"Input"); err != nil {
		return map[string]interface{}{"ok": false, "code": "UnknownMember", "message": err.Error()}
	}
	var sent *request.Request
	capture := request.Option(func(r *request.Request) { sent = r })
	results := method.Call([]reflect.Value{sweepio.ContextArg, input, reflect.ValueOf(capture)})
	if err, _ := results[1].Interface().(error); err != nil {
		return failure(err)
	}
	return map[string]interface{}{"ok": true, "output": sweepio.Dump(results[0].Elem()),
		"status": sent.HTTPResponse.StatusCode, "requestId": sent.RequestID}
}

// failure describes an operation's error as awserr.RequestFailure gives it, with its concrete type.
func failure(err error) map[string]interface{} {
	outcome := map[string]interface{}{"ok": false, "code": "NoAWSError", "message": err.Error(), "modeled": false,
		"requestFailure": false}
	var plain awserr.Error
	if errors.As(err, &plain) {
		outcome["code"] = plain.Code()
	}
	var failed awserr.RequestFailure
	if !errors.As(err, &failed) {
		return outcome
	}
	outcome["requestFailure"] = true
	outcome["message"], outcome["status"], outcome["requestId"] = failed.Message(), failed.StatusCode(), failed.RequestID()
	concrete := reflect.TypeOf(failed)
	for concrete.Kind() == reflect.Ptr {
		concrete = concrete.Elem()
	}
	outcome["errorType"] = concrete.Name()
	outcome["modeled"] = strings.HasPrefix(concrete.PkgPath(), "github.com/aws/aws-sdk-go/service/")
	if outcome["modeled"] == true {
		if fields, ok := sweepio.Dump(reflect.ValueOf(failed)).(map[string]interface{}); ok {
			delete(fields, "Message_")
			outcome["members"] = fields
		}
	}
	return outcome
}
