package sqlite

import (
	"context"
	"database/sql"

	"github.com/pressroom/pressroom"
)

// CreateProject stores a reseller's project.
func (db *DB) CreateProject(ctx context.Context, p *pressroom.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	now := db.now()
	p.CreatedAt, p.UpdatedAt = now, now
	return db.tx(ctx, func(tx *sql.Tx) error {
		return mapError(tx.QueryRowContext(ctx, `INSERT INTO projects (reseller_id, name, number, note, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, p.ResellerID, p.Name, p.Number, p.Note, formatTime(now), formatTime(now)).Scan(&p.ID), "Reseller")
	})
}

const projectColumns = `id, reseller_id, name, number, note, created_at, updated_at`

func scanProject(row interface{ Scan(...any) error }) (*pressroom.Project, error) {
	var p pressroom.Project
	var created, updated string
	if err := row.Scan(&p.ID, &p.ResellerID, &p.Name, &p.Number, &p.Note, &created, &updated); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = parseTime(created), parseTime(updated)
	return &p, nil
}

// FindProject returns a reseller's project.
func (db *DB) FindProject(ctx context.Context, resellerID, id int64) (*pressroom.Project, error) {
	p, err := scanProject(db.read.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = ? AND reseller_id = ?`, id, resellerID))
	return p, mapError(err, "Project")
}

// ListProjects returns a page of a reseller's projects.
func (db *DB) ListProjects(ctx context.Context, resellerID int64, offset, limit int) ([]*pressroom.Project, int, error) {
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM projects WHERE reseller_id = ?`, resellerID).Scan(&total); err != nil {
		return nil, 0, mapError(err, "Projects")
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+projectColumns+` FROM projects WHERE reseller_id = ? ORDER BY id LIMIT ? OFFSET ?`, resellerID, limit, offset)
	if err != nil {
		return nil, 0, mapError(err, "Projects")
	}
	defer rows.Close()
	out := []*pressroom.Project{}
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, 0, mapError(err, "Projects")
		}
		out = append(out, p)
	}
	return out, total, mapError(rows.Err(), "Projects")
}
