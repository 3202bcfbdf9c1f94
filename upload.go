package pressroom

import "time"

// UploadSession is a place to upload the print file of one product of a
// calculation before (or after) it is ordered (Probo's uploader): it is
// reached by a URL with a secret token, without an API key.
type UploadSession struct {
	ID            int64
	ResellerID    int64
	CalculationID int64
	// Position is the product's place in the calculation, from 1.
	Position int
	// TokenHash is the SHA-256 (hex) of the URL's token.
	TokenHash   string
	CallbackURL string
	State       string // "open" until a file arrived, then "uploaded"
	BlobKey     string
	Size        int64
	MD5         string
	SHA256      string
	ContentType string
	// OrderNumber and ItemID name the order item the file is for, once an
	// order cites the session.
	OrderNumber int64
	ItemID      int64
	CreatedAt   time.Time
	UploadedAt  *time.Time
}

// UploadSessionLifetime is how long an upload session that no order cites
// is kept, with its file: as long as the calculation it was made for
// holds its prices.
const UploadSessionLifetime = CalculationLifetime

// Upload session states.
const (
	UploadOpen     = "open"
	UploadUploaded = "uploaded"
)
