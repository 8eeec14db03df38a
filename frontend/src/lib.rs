//! eniscope frontend
