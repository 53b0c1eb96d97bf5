// Package standards is the language the province speaks to an exam station:
// scoring standards (one item's 100-point sheet), paper blueprints (one
// category's exam), the event log they are scored on, the expression
// environment of their sensor rules, and the signed-note envelope with its
// trust and install rules.
//
// Everything here is data handling: a standard is parsed strictly, validated,
// its expressions compiled once against the documented environment
// (docs/standard-format.md), and nothing in Go names an item or a standard.
// Scoring itself lives in package scoring, which imports this one.
package standards
