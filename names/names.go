// Package names holds docker's rule for the names people give
// containers, volumes and networks: they end up in ps columns, logs and
// paths, where a slash, a newline or ".." does damage. Checked by hand, not
// by a regexp compiled at start-up, which every command and monitor paid.
package names

// Valid reports whether name follows the rule: a letter or digit, then
// letters, digits, '_', '.' or '-'. Lengths are the caller's to limit.
func Valid(name string) bool {
	for i, c := range []byte(name) {
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '.' && c != '-') {
			return false
		}
	}
	return name != ""
}
