-- The staffing core. Every table carries tenant_id and every primary and
-- foreign key starts with it, so the PostgreSQL twin of this schema can be
-- distributed by tenant.

-- +goose Up
CREATE TABLE tenants (
    id         INTEGER NOT NULL PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE branches (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    id        INTEGER NOT NULL,
    name      TEXT NOT NULL,
    city      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE users (
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    id            INTEGER NOT NULL,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    branch_id     INTEGER,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);

CREATE TABLE api_tokens (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    hash         BLOB NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE candidates (
    tenant_id             INTEGER NOT NULL,
    id                    INTEGER NOT NULL,
    branch_id             INTEGER NOT NULL,
    status                TEXT NOT NULL,
    initials              TEXT NOT NULL DEFAULT '',
    first_name            TEXT NOT NULL DEFAULT '',
    prefix                TEXT NOT NULL DEFAULT '',
    last_name             TEXT NOT NULL,
    date_of_birth         DATE,
    nationality           TEXT NOT NULL DEFAULT '',
    email                 TEXT NOT NULL DEFAULT '',
    phone                 TEXT NOT NULL DEFAULT '',
    street                TEXT NOT NULL DEFAULT '',
    house_number          TEXT NOT NULL DEFAULT '',
    house_number_addition TEXT NOT NULL DEFAULT '',
    postcode              TEXT NOT NULL DEFAULT '',
    city                  TEXT NOT NULL DEFAULT '',
    country               TEXT NOT NULL DEFAULT 'NL',
    bsn                   TEXT NOT NULL DEFAULT '',
    iban                  TEXT NOT NULL DEFAULT '',
    id_document_type      TEXT NOT NULL DEFAULT '',
    id_document_number    TEXT NOT NULL DEFAULT '',
    id_document_expiry    DATE,
    functions             TEXT NOT NULL DEFAULT '',
    availability          TEXT NOT NULL DEFAULT '',
    registered_on         DATE NOT NULL,
    source                TEXT NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);
CREATE INDEX candidates_last_name ON candidates (tenant_id, lower(last_name));
CREATE INDEX candidates_city ON candidates (tenant_id, lower(city));
CREATE INDEX candidates_branch_status ON candidates (tenant_id, branch_id, status);

CREATE TABLE clients (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    branch_id    INTEGER NOT NULL,
    name         TEXT NOT NULL,
    kvk_number   TEXT NOT NULL DEFAULT '',
    street       TEXT NOT NULL DEFAULT '',
    house_number TEXT NOT NULL DEFAULT '',
    postcode     TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL DEFAULT '',
    country      TEXT NOT NULL DEFAULT 'NL',
    email        TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);
CREATE INDEX clients_name ON clients (tenant_id, lower(name));

CREATE TABLE client_contacts (
    tenant_id  INTEGER NOT NULL,
    id         INTEGER NOT NULL,
    client_id  INTEGER NOT NULL,
    name       TEXT NOT NULL,
    job_title  TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX client_contacts_client ON client_contacts (tenant_id, client_id);

CREATE TABLE placements (
    tenant_id         INTEGER NOT NULL,
    id                INTEGER NOT NULL,
    candidate_id      INTEGER NOT NULL,
    client_id         INTEGER NOT NULL,
    function          TEXT NOT NULL,
    start_date        DATE NOT NULL,
    end_date          DATE,
    hourly_wage_cents INTEGER NOT NULL DEFAULT 0,
    contract_kind     TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id)
);
CREATE INDEX placements_candidate ON placements (tenant_id, candidate_id);
CREATE INDEX placements_client ON placements (tenant_id, client_id);

CREATE TABLE contact_moments (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    at           TIMESTAMP NOT NULL,
    user_id      INTEGER,
    note         TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_moments_candidate ON contact_moments (tenant_id, candidate_id, at);

CREATE TABLE documents (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    user_id      INTEGER,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX documents_candidate ON documents (tenant_id, candidate_id);

CREATE TABLE payroll_records (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    placement_id INTEGER,
    year         INTEGER NOT NULL,
    period       INTEGER NOT NULL,
    gross_cents  INTEGER NOT NULL,
    net_cents    INTEGER NOT NULL,
    document_id  INTEGER,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, placement_id) REFERENCES placements (tenant_id, id),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id)
);
CREATE INDEX payroll_records_candidate ON payroll_records (tenant_id, candidate_id, year, period);

CREATE TABLE disclosures (
    tenant_id      INTEGER NOT NULL,
    id             INTEGER NOT NULL,
    candidate_id   INTEGER NOT NULL,
    recipient_kind TEXT NOT NULL,
    client_id      INTEGER,
    recipient      TEXT NOT NULL DEFAULT '',
    categories     TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    disclosed_at   TIMESTAMP NOT NULL,
    user_id        INTEGER,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id)
);
CREATE INDEX disclosures_candidate ON disclosures (tenant_id, candidate_id);

-- +goose Down
DROP TABLE disclosures;
DROP TABLE payroll_records;
DROP TABLE documents;
DROP TABLE contact_moments;
DROP TABLE placements;
DROP TABLE client_contacts;
DROP TABLE clients;
DROP TABLE candidates;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE branches;
DROP TABLE tenants;
