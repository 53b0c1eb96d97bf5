// Package credential holds the rules for what identifies and authenticates
// a person in an exam, shared by the station and the centre: the resident
// identity card number (身份证号, GB 11643-1999) and the examiner's PIN
// (argon2id). It imports nothing of shicao, so both can use it without
// importing each other.
package credential
