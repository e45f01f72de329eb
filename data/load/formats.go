package load

// Formats of the commune and jurisdiction files, as named in load reports.
const (
	FormatCommunesGeoJSON  = "communes-geojson"
	FormatCOGCommunesJSON  = "cog-communes-json"
	FormatCommunesGeoIndex = "communes-geo-json"
	FormatCompetenceCSV    = "competence-csv"
	FormatCompetenceANFSI  = "competence-anfsi-csv"
)
