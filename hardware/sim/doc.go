// Package sim simulates shicao's reference equipment on pseudo-terminals,
// speaking the exact wire bytes of each family: cpr binary frames, ASCII
// lines, and Modbus RTU as a slave. The driver opens the pseudo-terminal
// with go.bug.st/serial like any serial port, so the real serial path runs
// in every test and in the demo.
//
// A simulator is seeded and reproducible, plays a named scenario (a good
// performance, or one with the faults the standards score), can run on an
// accelerated clock, inject garbage between records, and be unplugged and
// plugged back. Each plug is a new pseudo-terminal with a new /dev/pts
// name; Path is a symlink the simulator re-points, as udev re-points a
// /dev/serial/by-id name when a USB adapter returns as another ttyUSB.
//
// The receipt printer (StartPrinter) is the other way round: the station
// writes ESC/POS and the simulator parses and renders it (hardware/escpos),
// answering the real-time status requests.
package sim
