package carrier

import "testing"

func TestDetailFromText(t *testing.T) {
	tests := map[string]string{
		"A winter storm has delayed delivery":             "weather",
		"DAMAGE REPORTED":                                 "damaged",
		"Package damaged, contact FedEx":                  "damaged",
		"Customer not available or business closed":       "recipient_unavailable",
		"Business closed - delivery attempted":            "business_closed",
		"Incorrect address - street number":               "address_issue",
		"Import clearance pending":                        "customs",
		"Something FedEx added later":                     "",
		"Household goods enclosed":                        "",
		"Refused by recipient":                            "refused",
		"Held at the post office at customer request":     "held",
		"Delay beyond our control":                        "delay",
		"The package was missed at the hub: late trailer": "missed_connection",
		"": "",
	}
	for text, want := range tests {
		if got := DetailFromText(text); got != want {
			t.Errorf("DetailFromText(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestServiceFromText(t *testing.T) {
	tests := []struct{ name, service, mode string }{
		{"UPS Ground", ServiceGround, "ground"},
		{"UPS Next Day Air", ServiceOvernight, "air"},
		{"UPS 2nd Day Air", Service2Day, "air"},
		{"FedEx Priority Overnight", ServiceOvernight, "air"},
		{"FEDEX 2 DAY", Service2Day, "air"},
		{"FEDEX EXPRESS SAVER", Service3Day, "ground"},
		{"SMART POST", ServiceEconomy, "ground"},
		{"Priority Mail Express", ServiceOvernight, "air"},
		{"Priority Mail", Service2Day, "air"},
		{"USPS Ground Advantage", ServiceEconomy, "ground"},
		{"EXPRESS WORLDWIDE", ServiceInternational, "air"},
		{"Pallet", "", ""},
	}
	for _, tc := range tests {
		s, m := ServiceFromText(tc.name)
		if s2, m2 := serviceFromRules(tc.name); s2 != s || m2 != m { // the rules, not a remembered answer
			t.Errorf("serviceFromRules(%q) = %q, %q; ServiceFromText %q, %q", tc.name, s2, m2, s, m)
		}
		if s2, m2 := ServiceFromText(tc.name); s2 != s || m2 != m { // the remembered answer
			t.Errorf("ServiceFromText(%q) a second time = %q, %q; first %q, %q", tc.name, s2, m2, s, m)
		}
		if s != tc.service || m != tc.mode {
			t.Errorf("ServiceFromText(%q) = %q, %q; want %q, %q", tc.name, s, m, tc.service, tc.mode)
		}
	}
}

func TestParseOffset(t *testing.T) {
	tests := map[string]int{"-05:00": -300, "+0530": 330, "Z": 0, "+5": 300, "-0930": -570}
	for in, want := range tests {
		got, err := ParseOffset(in)
		if err != nil || got != want {
			t.Errorf("ParseOffset(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "05:00", "+25:00", "+05:61", "+abc", "-123456"} {
		if _, err := ParseOffset(bad); err == nil {
			t.Errorf("ParseOffset(%q) accepted", bad)
		}
	}
}

func TestDateTimeDigits(t *testing.T) {
	w, err := DateTimeDigits("20260309", "0713")
	if err != nil || w.Hour != 7 || w.Minute != 13 || w.Second != 0 || w.Day != 9 {
		t.Errorf("DateTimeDigits = %+v, %v", w, err)
	}
	for _, bad := range [][2]string{{"20260230", "0000"}, {"2026039", "0000"}, {"20260309", "2561"}, {"2026O309", "0000"}, {"20260309", "12345"}} {
		if _, err := DateTimeDigits(bad[0], bad[1]); err == nil {
			t.Errorf("DateTimeDigits(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestDetailTextRoundTrip(t *testing.T) {
	for d, text := range detailTexts {
		if got := DetailFromText(text); got != d {
			t.Errorf("DetailFromText(DetailText(%q)) = %q", d, got)
		}
	}
}
