package api

import (
	"reflect"
	"strings"
	"testing"
)

// TestDraftPatchNamesEveryOrderMember: each member of an order's body is
// either changed by a draft's PATCH or refused with where it changes; one
// added to orderIn and to neither would be answered "unknown field".
func TestDraftPatchNamesEveryOrderMember(t *testing.T) {
	names := func(v any) map[string]bool {
		out := map[string]bool{}
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			out[name] = true
		}
		return out
	}
	patch := names(draftPatchIn{})
	for name := range names(orderIn{}) {
		_, fixed := fixedOnDraft[name]
		if patch[name] == fixed {
			t.Errorf("%q: changed by PATCH %v, refused %v; want exactly one", name, patch[name], fixed)
		}
	}
	for name := range fixedOnDraft {
		if !names(orderIn{})[name] {
			t.Errorf("fixedOnDraft names %q, which an order's body has not", name)
		}
	}
	order, delivery := names(deliveryIn{}), names(deliveryPatchIn{})
	if !reflect.DeepEqual(order, delivery) {
		t.Errorf("an order's delivery has %v, a PATCH's %v", order, delivery)
	}
}
