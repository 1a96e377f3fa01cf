CREATE TABLE customers (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_number TEXT NOT NULL UNIQUE,
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE,
    phone           TEXT,
    mobile          TEXT,
    language        TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    company         TEXT,
    street          TEXT NOT NULL,
    postcode        TEXT NOT NULL,
    city            TEXT NOT NULL,
    country         TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE services (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('web-space', 'backup-space', 'mailbox')),
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, name)
);
CREATE INDEX services_by_customer ON services (customer_id);

CREATE TABLE staff (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE staff_roles (
    staff_id   BIGINT NOT NULL REFERENCES staff (id),
    role       TEXT NOT NULL CHECK (role IN ('support', 'sysadmin', 'privacy-officer')),
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (staff_id, role)
);
