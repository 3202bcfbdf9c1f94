package catalog

import _ "embed"

// DemoJSON is the demo catalog embedded in the binary: every product the seed
// documents show, and enough others to be a realistic catalog.
//
//go:embed demo.json
var DemoJSON []byte
