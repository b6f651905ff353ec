package seccomp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// compile builds the filter with libseccomp and exports its BPF.
func compile(p *specs.LinuxSeccomp) ([]byte, error) {
	def, err := action(p.DefaultAction, p.DefaultErrnoRet)
	if err != nil {
		return nil, err
	}
	f, err := libseccomp.NewFilter(def)
	if err != nil {
		return nil, fmt.Errorf("new seccomp filter: %w", err)
	}
	defer f.Release()
	// burrow sets no_new_privs itself, when the spec asks for it.
	if err := f.SetNoNewPrivsBit(false); err != nil {
		return nil, fmt.Errorf("seccomp filter: %w", err)
	}
	for _, a := range p.Architectures {
		arch, err := libseccomp.GetArchFromString(strings.ToLower(strings.TrimPrefix(string(a), "SCMP_ARCH_")))
		if err != nil {
			continue // an architecture this libseccomp does not know
		}
		if err := f.AddArch(arch); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("seccomp architecture %s: %w", a, err)
		}
	}
	for _, rule := range p.Syscalls {
		if err := addRule(f, def, rule); err != nil {
			return nil, err
		}
	}
	return export(f)
}

func addRule(f *libseccomp.ScmpFilter, def libseccomp.ScmpAction, rule specs.LinuxSyscall) error {
	act, err := action(rule.Action, rule.ErrnoRet)
	if err != nil {
		return err
	}
	if act == def {
		return nil // libseccomp refuses a rule that changes nothing
	}
	conds, err := conditions(rule.Args)
	if err != nil {
		return err
	}
	for _, name := range rule.Names {
		call, err := libseccomp.GetSyscallFromName(name)
		if err != nil {
			continue // a syscall this libseccomp does not know
		}
		for _, c := range conds {
			if err := f.AddRuleConditional(call, act, c); err != nil {
				return fmt.Errorf("seccomp rule for %s: %w", name, err)
			}
		}
	}
	return nil
}

// conditions groups a rule's argument checks as the runtime spec means
// them: checks on distinct arguments must all hold; several checks on
// one argument (which libseccomp cannot AND) are alternatives.
func conditions(args []specs.LinuxSeccompArg) ([][]libseccomp.ScmpCondition, error) {
	if len(args) == 0 {
		return [][]libseccomp.ScmpCondition{nil}, nil
	}
	var all []libseccomp.ScmpCondition
	seen := map[uint]bool{}
	distinct := true
	for _, a := range args {
		c, err := libseccomp.MakeCondition(a.Index, operator(a.Op), a.Value, a.ValueTwo)
		if err != nil {
			return nil, fmt.Errorf("seccomp condition on argument %d: %w", a.Index, err)
		}
		distinct = distinct && !seen[a.Index]
		seen[a.Index] = true
		all = append(all, c)
	}
	if distinct {
		return [][]libseccomp.ScmpCondition{all}, nil
	}
	var alts [][]libseccomp.ScmpCondition
	for _, c := range all {
		alts = append(alts, []libseccomp.ScmpCondition{c})
	}
	return alts, nil
}

func action(a specs.LinuxSeccompAction, errnoRet *uint) (libseccomp.ScmpAction, error) {
	switch a {
	case specs.ActAllow:
		return libseccomp.ActAllow, nil
	case specs.ActErrno:
		code := int16(unix.EPERM)
		if errnoRet != nil {
			code = int16(*errnoRet)
		}
		return libseccomp.ActErrno.SetReturnCode(code), nil
	case specs.ActKill, specs.ActKillThread:
		return libseccomp.ActKillThread, nil
	case specs.ActKillProcess:
		return libseccomp.ActKillProcess, nil
	case specs.ActTrap:
		return libseccomp.ActTrap, nil
	case specs.ActLog:
		return libseccomp.ActLog, nil
	case specs.ActTrace:
		code := int16(unix.EPERM)
		if errnoRet != nil {
			code = int16(*errnoRet)
		}
		return libseccomp.ActTrace.SetReturnCode(code), nil
	}
	return libseccomp.ActInvalid, fmt.Errorf("seccomp action %q is not supported", a)
}

func operator(op specs.LinuxSeccompOperator) libseccomp.ScmpCompareOp {
	return map[specs.LinuxSeccompOperator]libseccomp.ScmpCompareOp{
		specs.OpNotEqual: libseccomp.CompareNotEqual, specs.OpLessThan: libseccomp.CompareLess,
		specs.OpLessEqual: libseccomp.CompareLessOrEqual, specs.OpEqualTo: libseccomp.CompareEqual,
		specs.OpGreaterEqual: libseccomp.CompareGreaterEqual, specs.OpGreaterThan: libseccomp.CompareGreater,
		specs.OpMaskedEqual: libseccomp.CompareMaskedEqual,
	}[op]
}

// export writes the program into an anonymous file (libseccomp 2.5 only
// exports to a descriptor) and reads it back.
func export(f *libseccomp.ScmpFilter) ([]byte, error) {
	fd, err := unix.MemfdCreate("seccomp", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	file := os.NewFile(uintptr(fd), "seccomp")
	defer file.Close()
	if err := f.ExportBPF(file); err != nil {
		return nil, fmt.Errorf("export seccomp filter: %w", err)
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(file)
}
