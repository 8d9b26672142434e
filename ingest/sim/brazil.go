package sim

import (
	"math"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/br"
)

// The second country: Brazil, served by the national post alone. Its
// history differs from the US one where a model's assumptions would
// show: other holidays (Carnival), another peak (Black Friday week, then
// the weeks to Christmas, and early May), zones at UTC−3 and UTC−4
// without daylight-saving time, long economy transit, and transit times
// that grow through the run (Config.BrazilShare). Label times follow the
// same volume curve as the US ones; Brazil's peak adds delay only.

// brazilCities are Brazilian state capitals and inland cities with
// approximate coordinates, a CEP in each and its zone.
var brazilCities = []City{
	{"São Paulo", "SP", "01001-000", -23.55, -46.63, "America/Sao_Paulo", "BR"},
	{"Rio de Janeiro", "RJ", "20010-000", -22.91, -43.17, "America/Sao_Paulo", "BR"},
	{"Belo Horizonte", "MG", "30110-000", -19.92, -43.94, "America/Sao_Paulo", "BR"},
	{"Curitiba", "PR", "80010-000", -25.43, -49.27, "America/Sao_Paulo", "BR"},
	{"Porto Alegre", "RS", "90010-000", -30.03, -51.23, "America/Sao_Paulo", "BR"},
	{"Brasília", "DF", "70040-000", -15.79, -47.88, "America/Sao_Paulo", "BR"},
	{"Goiânia", "GO", "74003-000", -16.68, -49.25, "America/Sao_Paulo", "BR"},
	{"Salvador", "BA", "40010-000", -12.97, -38.50, "America/Bahia", "BR"},
	{"Recife", "PE", "50010-000", -8.05, -34.88, "America/Recife", "BR"},
	{"Fortaleza", "CE", "60010-000", -3.73, -38.52, "America/Fortaleza", "BR"},
	{"Belém", "PA", "66010-000", -1.46, -48.49, "America/Belem", "BR"},
	{"Campo Grande", "MS", "79002-000", -20.44, -54.65, "America/Campo_Grande", "BR"},
	{"Cuiabá", "MT", "78005-000", -15.60, -56.10, "America/Cuiaba", "BR"},
	{"Manaus", "AM", "69005-000", -3.12, -60.02, "America/Manaus", "BR"},
	{"Florianópolis", "SC", "88010-000", -27.60, -48.55, "America/Sao_Paulo", "BR"},
	// Inland cities of the larger states: a state is many postal areas,
	// as a US ZIP region is.
	{"Campinas", "SP", "13010-000", -22.91, -47.06, "America/Sao_Paulo", "BR"},
	{"Ribeirão Preto", "SP", "14010-000", -21.18, -47.81, "America/Sao_Paulo", "BR"},
	{"São José do Rio Preto", "SP", "15010-000", -20.82, -49.38, "America/Sao_Paulo", "BR"},
	{"Uberlândia", "MG", "38400-000", -18.92, -48.28, "America/Sao_Paulo", "BR"},
	{"Juiz de Fora", "MG", "36010-000", -21.76, -43.35, "America/Sao_Paulo", "BR"},
	{"Londrina", "PR", "86010-000", -23.31, -51.16, "America/Sao_Paulo", "BR"},
	{"Caxias do Sul", "RS", "95020-000", -29.17, -51.18, "America/Sao_Paulo", "BR"},
	{"Joinville", "SC", "89201-000", -26.30, -48.85, "America/Sao_Paulo", "BR"},
	{"Feira de Santana", "BA", "44001-000", -12.27, -38.97, "America/Bahia", "BR"},
	{"Vitória da Conquista", "BA", "45000-000", -14.86, -40.84, "America/Bahia", "BR"},
	{"Caruaru", "PE", "55002-000", -8.28, -35.98, "America/Recife", "BR"},
	{"Juazeiro do Norte", "CE", "63010-000", -7.21, -39.31, "America/Fortaleza", "BR"},
	{"Santarém", "PA", "68005-000", -2.44, -54.71, "America/Santarem", "BR"},
}

// correios is the Brazilian post: PAC, its economy service, at 350 km a
// working day; SEDEX, its express one, at 1,000 km (both move by
// distance, as the US ground services do).
var correios = Carrier{Name: "correios", Hub: "São Paulo", Prefix: "", Saturday: false, Weight: 1, Services: []Service{
	{Name: "pac", DaysMin: 3, KmPerDay: 350, Weight: 0.7, Standard: [2]int{3, 12}},
	{Name: "sedex", DaysMin: 1, KmPerDay: 1000, Weight: 0.3, Standard: [2]int{1, 5}},
}}

// remoteStates are reached by river or air from the south: PAC takes
// brazilRemoteDays more to them.
var remoteStates = map[string]bool{"AM": true, "PA": true}

const (
	// brazilRemoteDays are the working days PAC adds to or from
	// remoteStates.
	brazilRemoteDays = 3
	// brazilSlowdownPerYear is how much longer, as a share, the post
	// takes on a long lane after a year of the run (brazilTrendDays).
	brazilSlowdownPerYear = 0.3
)

// brazilHolidays are the days the post neither picks up nor delivers: the
// national holidays and both days of Carnival.
var brazilHolidays = append(append([]*cal.Holiday{}, br.Holidays...),
	&cal.Holiday{Name: "Carnaval (segunda-feira)", Type: cal.ObservancePublic, Offset: -48, Func: cal.CalcEasterOffset})

// brazilPeak is the share of extra delay a day carries in Brazil: Black
// Friday's week and the days after it at full, the weeks to Christmas at
// 0.6, 1 to 12 May (Mother's Day, May's second Sunday, and the days
// around it) at 0.4.
func brazilPeak(t time.Time) float64 {
	m, d := t.Month(), t.Day()
	switch {
	case m == time.November && d >= 20, m == time.December && d <= 2:
		return 1
	case m == time.December && d <= 22:
		return 0.6
	case m == time.May && d <= 12:
		return 0.4
	}
	return 0
}

// brazilPeakDays is the post's delay in its peak beyond the sorting delay
// every carrier has: 2·pk working days, the fraction one more day with its
// probability (u uniform in [0, 1)).
func brazilPeakDays(pk, u float64) int { return int(2*pk + u) }

// brazilTrendDays is the working days the trend adds to a lane of km
// kilometres at t: a lane takes brazilSlowdownPerYear longer a year from
// the start of the run (as if the distance grew), so long lanes slow
// while short ones stay at their minimum, for both services. The promise
// keeps the old time.
func (g *Generator) brazilTrendDays(svc Service, km float64, t time.Time) int {
	years := math.Max(t.Sub(g.cfg.Start).Hours()/(24*365), 0)
	base := max(svc.DaysMin, int(math.Ceil(km/svc.KmPerDay)))
	slow := max(svc.DaysMin, int(math.Ceil(km*(1+brazilSlowdownPerYear*years)/svc.KmPerDay)))
	return slow - base
}
