//! Read-only access to an API response for the dashboard pages.
//!
//! Why not `serde` into the `shared::fleet` types: measured with `cargo xtask dist`, deserializing
//! `FleetOverview`, `ClusterDetail`, `NodePage`, `NodeDetail` and `SubnetDetail` with serde_json costs
//! 84 KB gzipped of wasm (a `deserialize_struct` per struct), a third of the whole bundle budget;
//! parsing into `serde_json::Value` still costs 23 KB. In the browser the JSON is parsed by the
//! browser's own `JSON.parse` and read field by field here (no parser in the wasm at all). The field
//! names are those of the `shared::fleet` types: `frontend/tests/dashboard.rs` renders every page
//! from `serde_json::to_value` of real `shared` values, so a renamed field fails a test.
//!
//! On the host (native tests) the same API sits on `serde_json::Value`.

/// One JSON value of an API response (an object, array, string, number, bool or null). Missing
/// fields read as null.
#[derive(Clone, Debug)]
pub struct Json(Raw);

#[cfg(target_arch = "wasm32")]
type Raw = wasm_bindgen::JsValue;
#[cfg(not(target_arch = "wasm32"))]
type Raw = serde_json::Value;

/// The API's error body, `{"error": {"code", "message"}}`, if `body` is one.
pub fn error_parts(body: &str) -> Option<(Option<String>, String)> {
    let error = Json::parse(body)?.get("error");
    let message = error.str("message")?;
    Some((error.str("code"), message))
}

#[cfg(target_arch = "wasm32")]
impl Json {
    /// `JSON.parse`; `None` when the text is not JSON.
    pub fn parse(text: &str) -> Option<Json> {
        js_sys::JSON::parse(text).ok().map(Json)
    }

    fn null() -> Json {
        Json(wasm_bindgen::JsValue::NULL)
    }

    fn is_object(&self) -> bool {
        self.0.is_object()
    }

    /// The field `key` of an object (null when missing or not an object).
    pub fn get(&self, key: &str) -> Json {
        if !self.is_object() {
            return Json::null();
        }
        js_sys::Reflect::get(&self.0, &wasm_bindgen::JsValue::from_str(key))
            .map(Json)
            .unwrap_or_else(|_| Json::null())
    }

    pub fn is_null(&self) -> bool {
        self.0.is_null() || self.0.is_undefined()
    }

    pub fn is_array(&self) -> bool {
        js_sys::Array::is_array(&self.0)
    }

    /// An object that is not an array.
    pub fn is_map(&self) -> bool {
        self.is_object() && !self.is_array()
    }

    pub fn as_str(&self) -> Option<String> {
        self.0.as_string()
    }

    fn as_number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    pub fn as_bool(&self) -> Option<bool> {
        self.0.as_bool()
    }

    /// The elements of an array (empty when not an array).
    pub fn items(&self) -> Vec<Json> {
        if !js_sys::Array::is_array(&self.0) {
            return Vec::new();
        }
        let array: &js_sys::Array = wasm_bindgen::JsCast::unchecked_ref(&self.0);
        (0..array.length()).map(|i| Json(array.get(i))).collect()
    }

    /// The `(key, value)` pairs of an object, in the server's order.
    pub fn entries(&self) -> Vec<(String, Json)> {
        if !self.is_object() || js_sys::Array::is_array(&self.0) {
            return Vec::new();
        }
        let object: &js_sys::Object = wasm_bindgen::JsCast::unchecked_ref(&self.0);
        js_sys::Object::keys(object)
            .iter()
            .filter_map(|key| key.as_string())
            .map(|key| {
                let value = self.get(&key);
                (key, value)
            })
            .collect()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        serde_json::from_str(text).ok().map(Json)
    }

    /// A value built on the host, e.g. `serde_json::to_value` of a `shared` type in tests.
    pub fn from_value(value: serde_json::Value) -> Json {
        Json(value)
    }

    pub fn get(&self, key: &str) -> Json {
        Json(self.0.get(key).cloned().unwrap_or(serde_json::Value::Null))
    }

    pub fn is_null(&self) -> bool {
        self.0.is_null()
    }

    pub fn is_array(&self) -> bool {
        self.0.is_array()
    }

    pub fn is_map(&self) -> bool {
        self.0.is_object()
    }

    pub fn as_str(&self) -> Option<String> {
        self.0.as_str().map(str::to_owned)
    }

    fn as_number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    pub fn as_bool(&self) -> Option<bool> {
        self.0.as_bool()
    }

    pub fn items(&self) -> Vec<Json> {
        self.0
            .as_array()
            .map(|a| a.iter().cloned().map(Json).collect())
            .unwrap_or_default()
    }

    pub fn entries(&self) -> Vec<(String, Json)> {
        self.0
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), Json(v.clone())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Json {
    /// A whole number ≥ 0 (JSON numbers are exact up to 2^53, far beyond any count here).
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number()
            .filter(|n| n.is_finite() && *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as u64)
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()
            .filter(|n| n.is_finite() && n.fract() == 0.0)
            .map(|n| n as i64)
    }

    /// Field shortcuts: `json.str("name")` = `json.get("name").as_str()`.
    pub fn str(&self, key: &str) -> Option<String> {
        self.get(key).as_str()
    }

    /// The string field, or `""`.
    pub fn text(&self, key: &str) -> String {
        self.str(key).unwrap_or_default()
    }

    pub fn u64(&self, key: &str) -> Option<u64> {
        self.get(key).as_u64()
    }

    /// The number field, or 0 (for counts the API always sends).
    pub fn count(&self, key: &str) -> u64 {
        self.u64(key).unwrap_or(0)
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.get(key).as_bool()
    }

    /// The strings of an array field.
    pub fn strings(&self, key: &str) -> Vec<String> {
        self.get(key)
            .items()
            .iter()
            .filter_map(Json::as_str)
            .collect()
    }

    pub fn list(&self, key: &str) -> Vec<Json> {
        self.get(key).items()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_treats_missing_as_null() {
        let json = Json::parse(r#"{"a": 3, "b": "x", "c": [1, 2], "d": null, "e": {"k": true}}"#)
            .expect("valid JSON");
        assert_eq!(json.u64("a"), Some(3));
        assert_eq!(json.str("b").as_deref(), Some("x"));
        assert_eq!(json.list("c").len(), 2);
        assert!(json.get("d").is_null() && json.get("missing").is_null());
        assert_eq!(json.get("e").bool("k"), Some(true));
        assert_eq!(json.get("e").entries().len(), 1);
        assert_eq!(json.get("b").u64("x"), None, "a field of a string is null");
        assert_eq!(Json::parse(r#"{"n": -1.5}"#).and_then(|j| j.u64("n")), None);
        assert!(Json::parse("not json").is_none());
        assert_eq!(
            error_parts(r#"{"error": {"code": "no_snapshot", "message": "later"}}"#),
            Some((Some("no_snapshot".into()), "later".into()))
        );
    }
}
