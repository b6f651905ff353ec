package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"text/template"
	"unicode"

	"github.com/burrow/burrow/errdefs"
)

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "    ")
	return enc.Encode(v)
}

// toJSON is docker's {{json .Field}} template function.
func toJSON(v any) (string, error) {
	data, err := json.Marshal(v)
	return string(data), err
}

// templateFuncs are the functions docker's and podman's --format templates
// offer, so their format strings work unchanged.
var templateFuncs = template.FuncMap{
	"json":  toJSON,
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
	"title": title,
	"join":  strings.Join,
	"split": strings.Split,
	"truncate": func(s string, n int) string {
		if r := []rune(s); len(r) > n {
			return string(r[:n])
		}
		return s
	},
	"pad": func(s string, before, after int) string {
		return strings.Repeat(" ", before) + s + strings.Repeat(" ", after)
	},
}

func title(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		defer func() { prev = r }()
		if unicode.IsSpace(prev) {
			return unicode.ToTitle(r)
		}
		return r
	}, s)
}

// parseFormat compiles a --format template; `\t` and `\n` typed on a
// command line mean a tab and a newline, as in docker.
func parseFormat(format string) (*template.Template, error) {
	tmpl, err := template.New("format").Funcs(templateFuncs).Parse(unescape(format))
	if err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	return tmpl, nil
}

// printTemplate prints v through a --format value: json prints it as
// indented JSON, anything else is a template run once, then a newline.
func printTemplate(format string, v any) error {
	if format == "json" {
		return printJSON(v)
	}
	tmpl, err := parseFormat(strings.TrimPrefix(format, "table ") + "\n")
	if err != nil {
		return err
	}
	return tmpl.Execute(os.Stdout, v)
}

// listFormat says how a listing prints its rows.
type listFormat struct {
	format    string            // --format: "", json, table [TEMPLATE] or a template
	noHeading bool              // --noheading
	table     string            // the default table's template
	headers   map[string]string // column headers other than the field name in capitals
}

// writeList prints rows as a listing: JSON, one template line per row, or
// a table whose header runs the same template over the column names.
func writeList[T any](rows []T, o listFormat) error {
	format := o.format
	switch {
	case format == "json":
		if rows == nil {
			rows = []T{}
		}
		return printJSON(rows)
	case format == "" || strings.TrimSpace(format) == "table":
		format = o.table
	}
	body, isTable := strings.CutPrefix(format, "table")
	if !isTable {
		return executeRows(os.Stdout, format, rows)
	}
	tmpl, err := parseFormat(strings.TrimLeft(body, " ") + "\n")
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 3, ' ', 0)
	if !o.noHeading {
		fmt.Fprint(w, tableHeader(unescape(strings.TrimLeft(body, " ")), headers[T](o.headers)))
	}
	for _, r := range rows {
		if err := tmpl.Execute(w, r); err != nil {
			return err
		}
	}
	return w.Flush()
}

func executeRows[T any](w io.Writer, format string, rows []T) error {
	tmpl, err := parseFormat(format + "\n")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := tmpl.Execute(w, r); err != nil {
			return err
		}
	}
	return nil
}

func unescape(format string) string {
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(format)
}

var (
	action   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`{{-?\s*(.*?)\s*-?}}`) })
	fieldRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)`) })
)

// tableHeader is a table template's header line: each action replaced by
// the header of the first field it names ({{index .Labels "k"}}: LABELS),
// the text between actions kept, as docker prints it.
func tableHeader(body string, names map[string]string) string {
	return action().ReplaceAllStringFunc(body, func(a string) string {
		m := fieldRef().FindStringSubmatch(a)
		if m == nil {
			return ""
		}
		if h, ok := names[m[1]]; ok {
			return h
		}
		return upperWords(m[1])
	}) + "\n"
}

func upperWords(name string) string {
	var b strings.Builder
	for j, r := range name {
		if j > 0 && unicode.IsUpper(r) && !unicode.IsUpper(rune(name[j-1])) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// headers maps each field of T to its column header: the override, else
// the field's name in capitals with its words apart (CreatedAt: CREATED AT).
func headers[T any](overrides map[string]string) map[string]string {
	out := map[string]string{}
	t := reflect.TypeFor[T]()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Name
		if h, ok := overrides[name]; ok {
			out[name] = h
			continue
		}
		out[name] = upperWords(name)
	}
	return out
}

// sortRows orders rows by a --sort key (stable, so equal keys keep the
// listing's order); "" leaves them as they are.
func sortRows[T any](rows []T, key string, keys map[string]func(a, b T) int) error {
	if key == "" {
		return nil
	}
	cmp, ok := keys[key]
	if !ok {
		names := slices.Sorted(maps.Keys(keys))
		return fmt.Errorf("%w: --sort %q (want one of %s)", errdefs.ErrInvalidArgument, key, strings.Join(names, ", "))
	}
	slices.SortStableFunc(rows, cmp)
	return nil
}
