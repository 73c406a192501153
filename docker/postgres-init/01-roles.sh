#!/usr/bin/env bash
# Runs once, when the postgres container starts on an empty data volume (the official image
# runs /docker-entrypoint-initdb.d/* then). Creates the same layout Dutybook's embedded mode
# provisions (libs/db/provision.ts):
#   dutybook_owner  owns the database and the public schema; migrations and seeds run as it.
#   dutybook_app    what the api and worker connect as: owns nothing, no BYPASSRLS, so
#                   row-level security binds it. Migrations grant it what it needs.
# Neither role is a superuser. Passwords come from the container's environment.
set -euo pipefail

: "${DUTYBOOK_OWNER_PASSWORD:?set DUTYBOOK_OWNER_PASSWORD}"
: "${DUTYBOOK_APP_PASSWORD:?set DUTYBOOK_APP_PASSWORD}"
DUTYBOOK_DB="${DUTYBOOK_DB:-dutybook}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$DUTYBOOK_OWNER_PASSWORD" \
  -v app_password="$DUTYBOOK_APP_PASSWORD" \
  -v db="$DUTYBOOK_DB" <<-'EOSQL'
	CREATE ROLE dutybook_owner LOGIN PASSWORD :'owner_password'
	  NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
	CREATE ROLE dutybook_app LOGIN PASSWORD :'app_password'
	  NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
	CREATE DATABASE :"db" OWNER dutybook_owner ENCODING 'UTF8';
	REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
	GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO dutybook_app;
EOSQL

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$DUTYBOOK_DB" <<-'EOSQL'
	ALTER SCHEMA public OWNER TO dutybook_owner;
	REVOKE CREATE ON SCHEMA public FROM PUBLIC;
	GRANT USAGE ON SCHEMA public TO dutybook_app;
EOSQL
