/**
 * Keys and certificates for the TLS listeners (docs/controller.md, "TLS"): PEM files as {@code
 * ovs-pki} and {@code openssl} write them, read into JDK key and trust managers. The OpenFlow server
 * and the REST API build their TLS contexts from them.
 */
package org.nicflow.controller.tls;
