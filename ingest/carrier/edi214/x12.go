package edi214

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// segment is one X12 segment: its id and its elements, elements[0] being
// the id itself so that X12's 1-based element numbers index directly.
type segment []string

func (s segment) id() string { return s[0] }

// el returns element n (1-based), or "" when the segment is shorter.
func (s segment) el(n int) string {
	if n < len(s) {
		return strings.TrimSpace(s[n])
	}
	return ""
}

// interchange is a split X12 interchange.
type interchange struct {
	segments []segment
	elemSep  byte
	compSep  byte
	segTerm  byte
}

// split reads the delimiters from the ISA header and splits the
// interchange into segments. ISA is fixed-width, but senders pad it
// inconsistently, so the delimiters are found by counting: the element
// separator is the character after "ISA", the component separator is
// ISA16 (the character after the sixteenth element separator), and the
// segment terminator is the character after that. Line breaks around
// segments are ignored.
func split(b []byte) (*interchange, error) {
	s := strings.TrimLeft(string(b), " \t\r\n\ufeff")
	if !strings.HasPrefix(s, "ISA") || len(s) < 4 {
		return nil, errors.New("no ISA header")
	}
	x := &interchange{elemSep: s[3]}
	if isAlnum(x.elemSep) || x.elemSep == ' ' {
		return nil, fmt.Errorf("ISA element separator %q is not a delimiter", x.elemSep)
	}
	pos, count := 3, 1 // s[3] is the first separator
	for count < 16 {
		i := strings.IndexByte(s[pos+1:], x.elemSep)
		if i < 0 {
			return nil, errors.New("ISA header has fewer than 16 elements")
		}
		pos += i + 1
		count++
	}
	if pos+2 >= len(s) {
		return nil, errors.New("ISA header truncated before the segment terminator")
	}
	x.compSep, x.segTerm = s[pos+1], s[pos+2]
	if x.segTerm == x.elemSep || x.segTerm == x.compSep || isAlnum(x.segTerm) {
		return nil, fmt.Errorf("ISA segment terminator %q is not a delimiter", x.segTerm)
	}
	for _, raw := range strings.Split(s, string(x.segTerm)) {
		raw = strings.Trim(raw, " \t\r\n")
		if raw == "" {
			continue
		}
		x.segments = append(x.segments, segment(strings.Split(raw, string(x.elemSep))))
	}
	return x, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// transaction is one ST…SE transaction set.
type transaction struct {
	control  string
	segments []segment // between ST and SE, exclusive
	err      error     // envelope error: the set is not read
}

// walk checks the ISA/GS/ST envelopes and returns the transaction sets,
// each with its own envelope error, and the errors of the outer envelopes.
func (x *interchange) walk() ([]transaction, []error) {
	var (
		sets     []transaction
		errs     []error
		isaCtl   string
		groups   int
		gsCtl    string
		inGroup  bool
		setsInGS int
		cur      *transaction
		segCount int
		sawIEA   bool
	)
	for _, seg := range x.segments {
		if cur != nil && seg.id() != "SE" {
			if seg.id() == "ST" || seg.id() == "GE" || seg.id() == "IEA" {
				cur.err = fmt.Errorf("transaction set %s: no SE before %s", cur.control, seg.id())
				sets = append(sets, *cur)
				cur = nil
			} else {
				cur.segments = append(cur.segments, seg)
				segCount++
				continue
			}
		}
		switch seg.id() {
		case "ISA":
			isaCtl = seg.el(13)
		case "GS":
			if inGroup {
				errs = append(errs, fmt.Errorf("group %s: no GE before the next GS", gsCtl))
			}
			inGroup, gsCtl, setsInGS, groups = true, seg.el(6), 0, groups+1
		case "ST":
			setsInGS++
			cur = &transaction{control: seg.el(2)}
			if seg.el(1) != "214" {
				cur.err = fmt.Errorf("transaction set %s is a %q, not a 214", cur.control, seg.el(1))
			}
			segCount = 1
		case "SE":
			if cur == nil {
				errs = append(errs, errors.New("SE without ST"))
				continue
			}
			segCount++
			if n, err := strconv.Atoi(seg.el(1)); err != nil || n != segCount {
				cur.err = errors.Join(cur.err, fmt.Errorf("transaction set %s: SE01 says %s segments, counted %d", cur.control, seg.el(1), segCount))
			}
			if seg.el(2) != cur.control {
				cur.err = errors.Join(cur.err, fmt.Errorf("transaction set %s: SE02 control number %q differs from ST02", cur.control, seg.el(2)))
			}
			sets = append(sets, *cur)
			cur = nil
		case "GE":
			if n, err := strconv.Atoi(seg.el(1)); err != nil || n != setsInGS {
				errs = append(errs, fmt.Errorf("group %s: GE01 says %s transaction sets, counted %d", gsCtl, seg.el(1), setsInGS))
			}
			if seg.el(2) != gsCtl {
				errs = append(errs, fmt.Errorf("group %s: GE02 control number %q differs from GS06", gsCtl, seg.el(2)))
			}
			inGroup = false
		case "IEA":
			sawIEA = true
			if n, err := strconv.Atoi(seg.el(1)); err != nil || n != groups {
				errs = append(errs, fmt.Errorf("interchange %s: IEA01 says %s groups, counted %d", isaCtl, seg.el(1), groups))
			}
			if seg.el(2) != isaCtl {
				errs = append(errs, fmt.Errorf("interchange %s: IEA02 control number %q differs from ISA13", isaCtl, seg.el(2)))
			}
		default:
			errs = append(errs, fmt.Errorf("segment %s outside a transaction set", seg.id()))
		}
	}
	if cur != nil {
		cur.err = fmt.Errorf("transaction set %s: interchange ends before SE", cur.control)
		sets = append(sets, *cur)
	}
	if inGroup {
		errs = append(errs, fmt.Errorf("group %s: interchange ends before GE", gsCtl))
	}
	if !sawIEA {
		errs = append(errs, errors.New("no IEA trailer"))
	}
	return sets, errs
}
