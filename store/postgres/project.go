package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/pressroom/pressroom"
)

// CreateProject stores a reseller's project.
func (db *DB) CreateProject(ctx context.Context, p *pressroom.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	now := db.now()
	p.CreatedAt, p.UpdatedAt = now, now
	return db.tx(ctx, func(tx pgx.Tx) error {
		return mapError(tx.QueryRow(ctx, `INSERT INTO projects (reseller_id, name, number, note, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, p.ResellerID, p.Name, p.Number, p.Note, now).Scan(&p.ID), "Reseller")
	})
}

const projectColumns = `id, reseller_id, name, number, note, created_at, updated_at`

func scanProject(row pgx.Row) (*pressroom.Project, error) {
	var p pressroom.Project
	if err := row.Scan(&p.ID, &p.ResellerID, &p.Name, &p.Number, &p.Note, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// FindProject returns a reseller's project.
func (db *DB) FindProject(ctx context.Context, resellerID, id int64) (*pressroom.Project, error) {
	p, err := scanProject(db.pool.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = $1 AND reseller_id = $2`, id, resellerID))
	return p, mapError(err, "Project")
}

// ListProjects returns a page of a reseller's projects.
func (db *DB) ListProjects(ctx context.Context, resellerID int64, offset, limit int) ([]*pressroom.Project, int, error) {
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM projects WHERE reseller_id = $1`, resellerID).Scan(&total); err != nil {
		return nil, 0, mapError(err, "Projects")
	}
	rows, err := db.pool.Query(ctx, `SELECT `+projectColumns+` FROM projects WHERE reseller_id = $1 ORDER BY id LIMIT $2 OFFSET $3`, resellerID, limit, offset)
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
