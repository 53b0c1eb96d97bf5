// Package idcard speaks the serial frame protocol of a second-generation
// resident ID-card reader's security module (二代身份证阅读器, the SAM):
// a pure codec for its frames and for the card's 256-byte text block, and
// a Reader that polls find → select → read over an io.ReadWriteCloser.
//
// The frame (public; as the vendors' SDKs and open readers implement it,
// e.g. Yangyuanxin/BearPi 10.ZKT_BearPi/ZKT_SDK/IDReader.h, which names
// the preamble 0xAA 0xAA 0xAA 0x96 0x69 and the commands 0x20 0x01 find,
// 0x20 0x02 select, 0x30 0x01 read the basic information):
//
//	AA AA AA 96 69 | LEN (2, big-endian) | body | CHK
//
// LEN counts the bytes after it, the checksum included; CHK is the XOR of
// LEN's two bytes and the body. A request's body is CMD PARA DATA...; an
// answer's body is SW1 SW2 SW3 (the status) then its data.
package idcard
