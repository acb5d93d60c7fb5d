fn main() {
    let g = pmsnap_hdl::generate(&pmsnap_hdl::Config::default()).unwrap();
    print!("{}", g.verilog);
}
