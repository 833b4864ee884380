// Command go_sdk calls operations of App Runner, IAM, STS and ECR through the AWS SDK for Go v2, for
// tests/ways/test_go_sdk_every_operation.py.
//
// Usage: go_sdk ENDPOINT_URL, then one JSON request per line on standard input, one JSON answer per line on
// standard output, in order:
//
//	{"describe": true}
//	  -> {"SERVICE": {"OPERATION": {"input": TREE, "output": TREE}}}: the client's methods and the members of
//	     their input and output structs (TREE: Go field name -> TREE of its structure, or null for a scalar).
//	{"service", "operation", "input", "caller"}
//	  -> {"ok": true, "output", "status", "requestId"}
//	  or {"ok": false, "code", "message", "fault", "status", "requestId", "errorType", "modeled", "members"}
//	  or {"ok": false, "code": "UnknownMember", "message": PATH} when the input has a member the struct lacks.
//
// "caller" is null for the account's root (access key "test") or {"accessKeyId", "secretAccessKey"}. In inputs
// and outputs {"$date": EPOCH_MS} stands for a time.Time and {"$blob": BASE64} for a []byte; in outputs a
// member of a value type (not a pointer: absent and zero look the same) is written {"$value": VALUE}. Every call
// is signed by the SDK's SigV4 signer with the caller's static credentials, sent once (no retries) to
// ENDPOINT_URL.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

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

type caller struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

type request struct {
	Describe  bool                   `json:"describe"`
	Service   string                 `json:"service"`
	Operation string                 `json:"operation"`
	Input     map[string]interface{} `json:"input"`
	Caller    *caller                `json:"caller"`
}

var (
	timeType    = reflect.TypeOf(time.Time{})
	bytesType   = reflect.TypeOf([]byte(nil))
	errorType   = reflect.TypeOf((*error)(nil)).Elem()
	contextType = reflect.TypeOf((*context.Context)(nil)).Elem()
	contextArg  = reflect.ValueOf(context.Background())
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go_sdk ENDPOINT_URL")
		os.Exit(2)
	}
	endpoint := os.Args[1]
	clients := map[string]interface{}{}
	lines := bufio.NewScanner(os.Stdin)
	lines.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	for lines.Scan() {
		var req request
		decoder := json.NewDecoder(bytes.NewReader(lines.Bytes()))
		decoder.UseNumber()
		if err := decoder.Decode(&req); err != nil {
			fmt.Fprintln(os.Stderr, "bad request:", err)
			os.Exit(2)
		}
		var answer interface{}
		if req.Describe {
			answer = describe()
		} else {
			answer = call(client(clients, endpoint, req), req)
		}
		encoded, err := json.Marshal(answer)
		if err != nil {
			fmt.Fprintln(os.Stderr, "unencodable answer:", err)
			os.Exit(2)
		}
		out.Write(append(encoded, '\n'))
		out.Flush()
	}
}

// client is the service's client for the caller's keys (one per service and key).
func client(clients map[string]interface{}, endpoint string, req request) interface{} {
	keys := caller{AccessKeyID: "test", SecretAccessKey: "test"}
	if req.Caller != nil {
		keys = *req.Caller
	}
	name := req.Service + "/" + keys.AccessKeyID
	if existing, ok := clients[name]; ok {
		return existing
	}
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
	clients[name] = constructors[req.Service](config)
	return clients[name]
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
			if kind.NumIn() < 3 || kind.In(1) != contextType || kind.NumOut() != 2 ||
				kind.Out(1) != errorType {
				continue
			}
			operations[method.Name] = map[string]interface{}{
				"input": tree(kind.In(2), 0), "output": tree(kind.Out(0), 0)}
		}
		described[service] = operations
	}
	return described
}

// tree is the structure of a type: its exported fields' trees for a struct, the element's for a list or map,
// nil for a scalar.
func tree(kind reflect.Type, depth int) interface{} {
	for kind.Kind() == reflect.Ptr || kind.Kind() == reflect.Slice && kind != bytesType || kind.Kind() == reflect.Map {
		kind = kind.Elem()
	}
	if kind.Kind() != reflect.Struct || kind == timeType || depth > 12 {
		return nil
	}
	fields := map[string]interface{}{}
	for index := 0; index < kind.NumField(); index++ {
		field := kind.Field(index)
		if field.IsExported() && field.Name != "ResultMetadata" {
			fields[field.Name] = tree(field.Type, depth+1)
		}
	}
	return fields
}

// call runs one operation and describes its outcome.
func call(client interface{}, req request) map[string]interface{} {
	method := reflect.ValueOf(client).MethodByName(req.Operation)
	if !method.IsValid() {
		return map[string]interface{}{"ok": false, "code": "NoSuchOperation", "message": req.Operation}
	}
	input := reflect.New(method.Type().In(1).Elem())
	if err := fill(input.Elem(), req.Input, req.Operation+"Input"); err != nil {
		return map[string]interface{}{"ok": false, "code": "UnknownMember", "message": err.Error()}
	}
	results := method.Call([]reflect.Value{contextArg, input})
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
	return map[string]interface{}{"ok": true, "output": dump(output), "status": status, "requestId": requestID}
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
	members := dump(reflect.ValueOf(api).Elem())
	if fields, ok := members.(map[string]interface{}); ok {
		delete(fields, "Message")
		outcome["members"] = fields
	}
	return outcome
}

// fill sets target from a JSON value (decoded with UseNumber), naming the first member the type lacks.
func fill(target reflect.Value, value interface{}, path string) error {
	if value == nil {
		return nil
	}
	kind := target.Type()
	if kind.Kind() == reflect.Ptr {
		target.Set(reflect.New(kind.Elem()))
		return fill(target.Elem(), value, path)
	}
	if special, ok := value.(map[string]interface{}); ok && kind == timeType {
		millis, err := special["$date"].(json.Number).Int64()
		target.Set(reflect.ValueOf(time.UnixMilli(millis).UTC()))
		return err
	}
	if special, ok := value.(map[string]interface{}); ok && kind == bytesType {
		blob, err := base64.StdEncoding.DecodeString(special["$blob"].(string))
		target.SetBytes(blob)
		return err
	}
	switch kind.Kind() {
	case reflect.Struct:
		members, ok := value.(map[string]interface{})
		if !ok {
			return fmt.Errorf("%s: a structure, not %T", path, value)
		}
		for name, member := range members {
			field, found := kind.FieldByNameFunc(func(field string) bool { return strings.EqualFold(field, name) })
			if !found || !field.IsExported() {
				return fmt.Errorf("%s.%s", path, name)
			}
			if err := fill(target.FieldByIndex(field.Index), member, path+"."+name); err != nil {
				return err
			}
		}
	case reflect.Slice:
		items, ok := value.([]interface{})
		if !ok {
			return fmt.Errorf("%s: a list, not %T", path, value)
		}
		target.Set(reflect.MakeSlice(kind, len(items), len(items)))
		for index, item := range items {
			if err := fill(target.Index(index), item, fmt.Sprintf("%s[%d]", path, index)); err != nil {
				return err
			}
		}
	case reflect.Map:
		entries, ok := value.(map[string]interface{})
		if !ok {
			return fmt.Errorf("%s: a map, not %T", path, value)
		}
		target.Set(reflect.MakeMapWithSize(kind, len(entries)))
		for key, entry := range entries {
			item := reflect.New(kind.Elem()).Elem()
			if err := fill(item, entry, path+"."+key); err != nil {
				return err
			}
			target.SetMapIndex(reflect.ValueOf(key).Convert(kind.Key()), item)
		}
	case reflect.String:
		target.SetString(value.(string))
	case reflect.Bool:
		target.SetBool(value.(bool))
	case reflect.Int, reflect.Int32, reflect.Int64:
		number, err := strconv.ParseInt(string(value.(json.Number)), 10, 64)
		target.SetInt(number)
		return err
	case reflect.Float32, reflect.Float64:
		number, err := value.(json.Number).Float64()
		target.SetFloat(number)
		return err
	default:
		return fmt.Errorf("%s: cannot set a %s", path, kind)
	}
	return nil
}

// dump is a Go value as JSON: structures by their exported fields (nil pointers, lists and maps left out),
// times as {"$date"}, blobs as {"$blob"}, value-type members of structures as {"$value"}.
func dump(value reflect.Value) interface{} {
	if value.Type() == timeType {
		return map[string]interface{}{"$date": value.Interface().(time.Time).UnixMilli()}
	}
	if value.Type() == bytesType {
		return map[string]interface{}{"$blob": base64.StdEncoding.EncodeToString(value.Bytes())}
	}
	switch value.Kind() {
	case reflect.Ptr, reflect.Interface:
		return dump(value.Elem())
	case reflect.Struct:
		fields := map[string]interface{}{}
		for index := 0; index < value.NumField(); index++ {
			field, member := value.Type().Field(index), value.Field(index)
			if !field.IsExported() || field.Name == "ResultMetadata" {
				continue
			}
			switch member.Kind() {
			case reflect.Ptr, reflect.Slice, reflect.Map, reflect.Interface:
				if !member.IsNil() {
					fields[field.Name] = dump(member)
				}
			case reflect.Struct:
				fields[field.Name] = dump(member)
			default:
				fields[field.Name] = map[string]interface{}{"$value": dump(member)}
			}
		}
		return fields
	case reflect.Slice:
		items := make([]interface{}, value.Len())
		for index := range items {
			items[index] = dump(value.Index(index))
		}
		return items
	case reflect.Map:
		entries := map[string]interface{}{}
		keys := value.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, key := range keys {
			entries[key.String()] = dump(value.MapIndex(key))
		}
		return entries
	case reflect.String:
		return value.String()
	case reflect.Bool:
		return value.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return value.Int()
	case reflect.Float32, reflect.Float64:
		return value.Float()
	}
	return map[string]interface{}{"$unsupported": value.Type().String()}
}
