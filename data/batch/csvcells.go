package batch

// neutraliseFormula returns a CSV cell that a spreadsheet would read as a
// formula (it starts with =, +, -, @, a tab or a carriage return) behind
// a single quote, which spreadsheets show as text, as OWASP advises
// against CSV injection. A plain decimal number, such as a negative
// longitude, is no formula and is left alone.
func neutraliseFormula(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if isPlainNumber(cell) {
			return cell
		}
		return "'" + cell
	}
	return cell
}

// isPlainNumber reports whether s is [+-]digits[.digits][e[+-]digits].
func isPlainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// neutraliseRow applies neutraliseFormula to every cell of row, in place.
func neutraliseRow(row []string) []string {
	for i, c := range row {
		row[i] = neutraliseFormula(c)
	}
	return row
}
