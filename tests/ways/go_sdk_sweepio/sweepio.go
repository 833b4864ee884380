// Package sweepio is what the Go SDK drivers of tests/ways (go_sdk for the AWS SDK for Go v2, go_sdk_v1 for v1)
// share: their line protocol, one client per service and caller, and the conversion of JSON values to and from
// the SDKs' typed structs by reflection.
//
// The protocol: the driver's one argument is the endpoint URL; then one JSON request per line on standard input,
// one JSON answer per line on standard output, in order:
//
//	{"describe": true}
//	  -> {"SERVICE": {"OPERATION": {"input": TREE, "output": TREE}}}: the clients' operations and the members of
//	     their input and output structs (TREE: Go field name -> TREE of its structure, or null for a scalar).
//	{"service", "operation", "input", "caller"}
//	  -> {"ok": true, "output", "status", "requestId"}
//	  or {"ok": false, "code", "message", "status", "requestId", "errorType", "modeled", "members", ...}
//	  or {"ok": false, "code": "UnknownMember", "message": PATH} when the input has a member the struct lacks.
//
// "caller" is null for the account's root (access key "test") or {"accessKeyId", "secretAccessKey"}. In inputs
// and outputs {"$date": EPOCH_MS} stands for a time.Time and {"$blob": BASE64} for a []byte; in outputs a
// member of a value type (not a pointer: absent and zero look the same) is written {"$value": VALUE}.
package sweepio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Caller is the caller's static keys.
type Caller struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Request is one line of the driver's input.
type Request struct {
	Describe  bool                   `json:"describe"`
	Service   string                 `json:"service"`
	Operation string                 `json:"operation"`
	Input     map[string]interface{} `json:"input"`
	Caller    *Caller                `json:"caller"`
}

// Hidden are the fields of the SDKs' structs that carry response metadata, not members of the API.
var Hidden = map[string]bool{"ResultMetadata": true, "RespMetadata": true}

var (
	TimeType    = reflect.TypeOf(time.Time{})
	BytesType   = reflect.TypeOf([]byte(nil))
	ErrorType   = reflect.TypeOf((*error)(nil)).Elem()
	ContextType = reflect.TypeOf((*context.Context)(nil)).Elem()
	ContextArg  = reflect.ValueOf(context.Background())
)

// Driver answers the protocol's requests for one SDK.
type Driver struct {
	// Describe lists the operations of every service (the "describe" answer).
	Describe func() map[string]map[string]interface{}
	// NewClient is a service's client for the endpoint and keys.
	NewClient func(service, endpoint string, keys Caller) interface{}
	// Call runs one operation on the client and describes its outcome.
	Call    func(client interface{}, req Request) map[string]interface{}
	clients map[string]interface{}
}

// Serve reads the requests of standard input until it ends, answering each on standard output.
func (d *Driver) Serve(name string) {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s ENDPOINT_URL\n", name)
		os.Exit(2)
	}
	endpoint := os.Args[1]
	d.clients = map[string]interface{}{}
	lines := bufio.NewScanner(os.Stdin)
	lines.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	for lines.Scan() {
		var req Request
		decoder := json.NewDecoder(bytes.NewReader(lines.Bytes()))
		decoder.UseNumber()
		if err := decoder.Decode(&req); err != nil {
			fmt.Fprintln(os.Stderr, "bad request:", err)
			os.Exit(2)
		}
		var answer interface{}
		if req.Describe {
			answer = d.Describe()
		} else {
			answer = d.Call(d.client(endpoint, req), req)
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
func (d *Driver) client(endpoint string, req Request) interface{} {
	keys := Caller{AccessKeyID: "test", SecretAccessKey: "test"}
	if req.Caller != nil {
		keys = *req.Caller
	}
	name := req.Service + "/" + keys.AccessKeyID
	if _, ok := d.clients[name]; !ok {
		d.clients[name] = d.NewClient(req.Service, endpoint, keys)
	}
	return d.clients[name]
}

// Tree is the structure of a type: its exported fields' trees for a struct, the element's for a list or map,
// nil for a scalar.
func Tree(kind reflect.Type, depth int) interface{} {
	for kind.Kind() == reflect.Ptr || kind.Kind() == reflect.Slice && kind != BytesType || kind.Kind() == reflect.Map {
		kind = kind.Elem()
	}
	if kind.Kind() != reflect.Struct || kind == TimeType || depth > 12 {
		return nil
	}
	fields := map[string]interface{}{}
	for index := 0; index < kind.NumField(); index++ {
		field := kind.Field(index)
		if field.IsExported() && !Hidden[field.Name] {
			fields[field.Name] = Tree(field.Type, depth+1)
		}
	}
	return fields
}

// Fill sets target from a JSON value (decoded with UseNumber), naming the first member the type lacks.
func Fill(target reflect.Value, value interface{}, path string) error {
	if value == nil {
		return nil
	}
	kind := target.Type()
	if kind.Kind() == reflect.Ptr {
		target.Set(reflect.New(kind.Elem()))
		return Fill(target.Elem(), value, path)
	}
	if special, ok := value.(map[string]interface{}); ok && kind == TimeType {
		millis, err := special["$date"].(json.Number).Int64()
		target.Set(reflect.ValueOf(time.UnixMilli(millis).UTC()))
		return err
	}
	if special, ok := value.(map[string]interface{}); ok && kind == BytesType {
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
			if err := Fill(target.FieldByIndex(field.Index), member, path+"."+name); err != nil {
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
			if err := Fill(target.Index(index), item, fmt.Sprintf("%s[%d]", path, index)); err != nil {
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
			if err := Fill(item, entry, path+"."+key); err != nil {
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

// Dump is a Go value as JSON: structures by their exported fields (nil pointers, lists and maps left out, and the
// Hidden ones), times as {"$date"}, blobs as {"$blob"}, value-type members of structures as {"$value"}.
func Dump(value reflect.Value) interface{} {
	if value.Type() == TimeType {
		return map[string]interface{}{"$date": value.Interface().(time.Time).UnixMilli()}
	}
	if value.Type() == BytesType {
		return map[string]interface{}{"$blob": base64.StdEncoding.EncodeToString(value.Bytes())}
	}
	switch value.Kind() {
	case reflect.Ptr, reflect.Interface:
		return Dump(value.Elem())
	case reflect.Struct:
		fields := map[string]interface{}{}
		for index := 0; index < value.NumField(); index++ {
			field, member := value.Type().Field(index), value.Field(index)
			if !field.IsExported() || Hidden[field.Name] {
				continue
			}
			switch member.Kind() {
			case reflect.Ptr, reflect.Slice, reflect.Map, reflect.Interface:
				if !member.IsNil() {
					fields[field.Name] = Dump(member)
				}
			case reflect.Struct:
				fields[field.Name] = Dump(member)
			default:
				fields[field.Name] = map[string]interface{}{"$value": Dump(member)}
			}
		}
		return fields
	case reflect.Slice:
		items := make([]interface{}, value.Len())
		for index := range items {
			items[index] = Dump(value.Index(index))
		}
		return items
	case reflect.Map:
		entries := map[string]interface{}{}
		keys := value.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, key := range keys {
			entries[key.String()] = Dump(value.MapIndex(key))
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
