-- What a REST API key may do: `read` (GET only) or `write` (also create and change). Keys made
-- before scopes existed could already write, and keep that.
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write'));
