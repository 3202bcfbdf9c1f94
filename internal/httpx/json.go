package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"

	"github.com/pressroom/pressroom"
)

// DecodeJSON reads at most limit bytes of JSON from r into v. Errors are
// pressroom errors a person can act on: ETOOLARGE past the limit,
// EMALFORMED for bad JSON, a wrong type or (when strict) an unknown field.
func DecodeJSON(w http.ResponseWriter, r *http.Request, limit int64, strict bool, v any) error {
	data, err := ReadBody(w, r, limit)
	if err != nil {
		return err
	}
	return Unmarshal(data, strict, v)
}

// ReadBody reads at most limit bytes of the request body: ETOOLARGE past it.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, readError(err, limit, "")
	}
	return data, nil
}

// readError is a failed read of a request body as a pressroom error:
// ETOOLARGE past limit (with more said after), else EMALFORMED.
func readError(err error, limit int64, more string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return pressroom.Errorf(pressroom.ETOOLARGE, "The request body is larger than %d bytes%s.", limit, more)
	}
	return pressroom.Errorf(pressroom.EMALFORMED, "The request body could not be read.")
}

// NoBody drains the body of a request that takes none: a small one is
// ignored, one over limit is ETOOLARGE, so that a client sending a large
// body learns it went nowhere instead of the server reading it all.
func NoBody(w http.ResponseWriter, r *http.Request, limit int64) error {
	if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, limit)); err != nil {
		return readError(err, limit, "; this request takes none")
	}
	return nil
}

// Unmarshal decodes data into v with the errors of DecodeJSON.
func Unmarshal(data []byte, strict bool, v any) error {
	switch trimmed := bytes.TrimSpace(data); {
	case len(trimmed) == 0:
		return pressroom.Errorf(pressroom.EMALFORMED, "The request body is empty; send %s.", wanted(v))
	case bytes.Equal(trimmed, []byte("null")):
		// Decoding null changes nothing: the request would succeed having
		// said nothing.
		return pressroom.Errorf(pressroom.EMALFORMED, "The request body is null; send %s.", wanted(v))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return describeJSONError(data, err)
	}
	if dec.More() {
		return pressroom.Errorf(pressroom.EMALFORMED, "The request body holds more than one JSON value.")
	}
	if strict {
		return exactNames(data, v)
	}
	return nil
}

// wanted names the JSON value v takes.
func wanted(v any) string {
	if t := reflect.TypeOf(v); t != nil && t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Slice {
		return "a JSON array"
	}
	return "a JSON object"
}

func describeJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := position(data, se.Offset)
		return pressroom.Errorf(pressroom.EMALFORMED, "The request body is not valid JSON: %s (line %d, column %d).", se.Error(), line, col)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return pressroom.Errorf(pressroom.EMALFORMED, "The request body is not valid JSON: it ends too early.")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return pressroom.Errorf(pressroom.EMALFORMED, "The request body must be a JSON object, not %s.", te.Value)
		}
		return &pressroom.Error{Code: pressroom.EMALFORMED,
			Message: fmt.Sprintf("Field %q must be %s, not %s.", field, kind(te.Type.Kind().String()), te.Value),
			Fields:  []pressroom.FieldError{{Pointer: "/" + strings.ReplaceAll(field, ".", "/"), Detail: fmt.Sprintf("must be %s, not %s", kind(te.Type.Kind().String()), te.Value)}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return pressroom.Errorf(pressroom.EMALFORMED, "The request body has an unknown field %s.", name)
	}
	return pressroom.Errorf(pressroom.EMALFORMED, "The request body is not valid JSON: %s.", err.Error())
}

func kind(k string) string {
	switch k {
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	}
	return "a " + k
}

func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// BearerKey returns the key of an "Authorization: Bearer KEY" header.
func BearerKey(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// UploadFile is the file of an upload request, streamed: the raw body, or
// the form field "artwork" (or "file") of a multipart body. A body that
// declares more than limit (and 1 MB for a form's other parts) is
// ETOOLARGE, and so is a read past that.
// A multipart body without the field is EMALFORMED, and so is a read that
// fails for what the client sent (a part that ends without its boundary):
// the client's mistake, not the server's. The body may take as long as it
// needs while bytes keep coming (LongBody).
func UploadFile(w http.ResponseWriter, r *http.Request, limit int64) (io.Reader, error) {
	f, err := uploadFile(w, r, limit)
	if err != nil {
		return nil, err
	}
	return clientBody{f, limit}, nil
}

// clientBody makes a failed read of an upload the client's mistake: past
// the limit ETOOLARGE, otherwise EMALFORMED; a pressroom error stays one.
type clientBody struct {
	r     io.Reader
	limit int64
}

func (b clientBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == nil || err == io.EOF {
		return n, err
	}
	var mbe *http.MaxBytesError
	var pe *pressroom.Error
	switch {
	case errors.As(err, &mbe):
		err = pressroom.Errorf(pressroom.ETOOLARGE, "The file is larger than %d MB.", b.limit>>20)
	case !errors.As(err, &pe):
		err = &pressroom.Error{Code: pressroom.EMALFORMED, Message: "The upload could not be read to its end: the body broke off, or its multipart form does not close; send it again."}
	}
	return n, err
}

func uploadFile(w http.ResponseWriter, r *http.Request, limit int64) (io.Reader, error) {
	if r.ContentLength > limit+1<<20 {
		return nil, pressroom.Errorf(pressroom.ETOOLARGE, "The file is larger than %d MB.", limit>>20)
	}
	body := http.MaxBytesReader(w, LongBody(w, r, UploadStall), limit+1<<20)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return body, nil
	}
	if params["boundary"] == "" {
		return nil, pressroom.Errorf(pressroom.EMALFORMED, "The multipart body has no boundary.")
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, &pressroom.Error{Code: pressroom.EMALFORMED, Message: `The multipart body has no "artwork" (or "file") field.`,
				Fields: []pressroom.FieldError{{Pointer: "/artwork", Code: "required", Detail: "send the file as the form field artwork"}}}
		}
		if name := part.FormName(); name == "artwork" || name == "file" {
			return part, nil
		}
		part.Close()
	}
}
