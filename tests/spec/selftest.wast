;; Input of the spec_runner self-test (tests/spec/selftest.sh), run against a
;; stub engine that rejects every module: the module and assert_return commands
;; fail, the binary assert_invalid passes, the text assert_malformed is skipped.
(module
  (func (export "one") (result i32) (i32.const 1)))
(assert_return (invoke "one") (i32.const 1))
(assert_invalid
  (module (func (result i32) (i64.const 0)))
  "type mismatch")
(assert_malformed
  (module quote "(func (result i32) (i32.const 0x1_))")
  "unknown operator")
(assert_trap (invoke "one") "unreachable")
