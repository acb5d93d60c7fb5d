//! pmsnap's waveforms for people.
//!
//! Every waveform pmsnap writes gets a GTKWave save file beside it
//! ([`gtkw`]): the signals in groups ([`groups`]), codes and states shown
//! by name ([`names`], from the same tables the RTL is built from),
//! markers at each command, power loss and the first failure, zoomed to
//! fit. [`svg`] draws a window of any waveform ([`dump`] reads VCD and FST)
//! as a timing diagram, for a reader without a viewer.

pub mod dump;
pub mod groups;
pub mod gtkw;
pub mod names;
pub mod svg;
