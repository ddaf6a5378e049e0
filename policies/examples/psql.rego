# Guard destructive SQL given to psql, in every pane mode (user policies apply in read
# and write mode alike). Needs the psql tool spec: copy tools/psql.toml to
# ~/.config/failsafe/tools/ and this file to ~/.config/failsafe/policies/, then run
# `failsafe install-shims`.
#
# Only SQL on the command line (`-c`, `--command`) can be read; a script given with
# `-f` is asked about, and SQL piped on stdin is not seen at all. The checks are
# textual: a DROP inside a string literal is refused too.
package failsafe.user

import rego.v1

# Every SQL statement given with -c / --command.
psql_statements contains trim_space(statement) if {
	input.tool == "psql"
	some sql in input.flags_all.command
	is_string(sql)
	some statement in split(sql, ";")
}

psql_short(statement) := statement if {
	count(statement) <= 80
} else := sprintf("%s…", [substring(statement, 0, 80)])

block contains {
	"id": "user.psql-drop",
	"reason": sprintf("`%s` drops a database object and its data", [psql_short(statement)]),
} if {
	some statement in psql_statements
	regex.match(`(?i)\bdrop\s+\w`, statement)
}

block contains {
	"id": "user.psql-truncate",
	"reason": sprintf("`%s` empties whole tables", [psql_short(statement)]),
} if {
	some statement in psql_statements
	regex.match(`(?i)\btruncate\b`, statement)
}

block contains {
	"id": "user.psql-delete-everything",
	"reason": sprintf("`%s` has no WHERE clause, so it deletes every row; add a WHERE", [psql_short(statement)]),
} if {
	some statement in psql_statements
	regex.match(`(?is)\bdelete\s+from\b`, statement)
	not regex.match(`(?i)\bwhere\b`, statement)
}

ask contains {
	"id": "user.psql-script",
	"reason": sprintf("`psql -f %s` runs a script failsafe cannot see into", [input.flags.file]),
} if {
	input.tool == "psql"
	is_string(input.flags.file)
}

ask contains {
	"id": "user.psql-include",
	"reason": "`\\i` runs a script file failsafe cannot see into",
} if {
	input.tool == "psql"
	some sql in input.flags_all.command
	is_string(sql)
	regex.match(`(?m)^\s*\\(i|ir|include|include_relative)\s`, sql)
}
