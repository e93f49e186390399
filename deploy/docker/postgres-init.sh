#!/bin/sh
# Runs once, when the Compose PostgreSQL volume is created: the app's role and database. The role
# is an ordinary one (no SUPERUSER, no BYPASSRLS) and owns the database, so that `qrforge migrate`
# can create the tables and PostgreSQL applies their row-level security policies to the app
# (docs/security.md). The password comes from QRFORGE_DB_PASSWORD, through a psql variable.
set -eu
psql -v ON_ERROR_STOP=1 -v password="$QRFORGE_DB_PASSWORD" --username "$POSTGRES_USER" --dbname postgres <<'SQL'
create role qrforge login nosuperuser nobypassrls nocreaterole nocreatedb password :'password';
create database qrforge owner qrforge;
SQL
