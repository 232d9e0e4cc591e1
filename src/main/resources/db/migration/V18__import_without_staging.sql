-- Issue 16, scenario 11: an import writes its sessions, users and content straight into their tables inside one
-- transaction held for the whole import (a failed or cancelled import is a ROLLBACK), so the staging table it
-- used to fill first, then move in with a second pass, is gone.
DROP TABLE IF EXISTS import_staging;
